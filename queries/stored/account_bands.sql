-- stored_account_bands: each filtered account scored on $as_of with its health band only (the Expansion page's
-- at-risk mark reads this, not every column of stored_account_scores).
select scores.account_id, scores.band
from account_scores as scores
join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where scores.as_of = $as_of::date
order by scores.account_id
