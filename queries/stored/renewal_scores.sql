-- stored_renewal_scores: one row per renewal of a filtered account due in [$as_of, $until) as scored on each
-- stored day in $days (renewal_scores), with the account's name and attributes.
select scores.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.am_owner
from renewal_scores as scores
join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where list_contains($days::date[], scores.as_of) and scores.renewal_date < scores.as_of + $horizon_days::integer
order by scores.as_of, scores.renewal_date, scores.account_id
