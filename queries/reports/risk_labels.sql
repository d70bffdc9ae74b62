-- risk_labels: one row per account active at a month start in [$start, $end] (account_features_monthly), with
-- churned_90d = not active 90 days later (metrics.md "Churn risk").
with rows as (
    select as_of, account_id, (as_of + interval 90 day)::date as outcome_day
    from account_features_monthly
    where as_of between $start::date and $end::date
),

still_active as (
    select distinct rows.as_of, rows.account_id
    from rows
    join account_mrr_intervals as intervals
        on intervals.account_id = rows.account_id
        and intervals.valid_from <= rows.outcome_day
        and rows.outcome_day < coalesce(intervals.valid_to, date '9999-12-31')
)

select rows.as_of, rows.account_id, still_active.account_id is null as churned_90d
from rows
left join still_active using (as_of, account_id)
order by rows.as_of, rows.account_id
