-- account_months: one row per month start up to $as_of since the account's first month: MRR on that day, and the
-- usage of the month that ends there (events, active users, features used).
with months as (
    select unnest(generate_series(date_trunc('month', min(valid_from)), $as_of::date, interval 1 month))::date
        as month_start
    from account_mrr_intervals
    where account_id = $account_id
),

mrr as (
    select month_start, sum(mrr) as mrr from mrr_by_account_month where account_id = $account_id group by all
),

usage as (
    select (month_start + interval 1 month)::date as month_end, events, active_users, features_used
    from usage_monthly
    where account_id = $account_id
),

seats as (
    select months.month_start, max(lines.quantity) as seats
    from months
    join subscription_lines as lines
        on lines.account_id = $account_id and lines.mrr > 0
        and lines.start_date <= months.month_start
        and months.month_start < coalesce(lines.end_date, date '9999-12-31')
    group by months.month_start
)

select months.month_start, coalesce(mrr.mrr, 0) as mrr, seats.seats,
    usage.events as events_prior_month, usage.active_users as active_users_prior_month,
    usage.features_used as features_prior_month
from months
left join mrr using (month_start)
left join seats using (month_start)
left join usage on usage.month_end = months.month_start
order by months.month_start
