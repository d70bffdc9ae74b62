-- stored_account_scores: one row per filtered account scored on $as_of by the scoring stage (account_scores),
-- with its name and attributes.
select scores.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.bill_period_months,
    accounts.main_product
from account_scores as scores
join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where scores.as_of = $as_of::date
order by scores.account_id
