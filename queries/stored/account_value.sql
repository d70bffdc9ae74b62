-- stored_account_value: the one account's row of account_residual_value (its projected renewals and residual
-- value on the data's as-of day), if it is active, with its group's billing period and segment (the page words
-- the group again in the reader's language; a group's English name is one fit's, by period or by segment).
select v.*, f.bill_period_months, f.segment as group_segment
from account_residual_value v
left join (select distinct "group", bill_period_months, segment from retention_fits) f on f."group" = v."group"
where v.account_id = $account_id
