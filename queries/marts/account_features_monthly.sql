-- account_features_monthly: one row per account active at each month start up to the as-of day, with the
-- point-in-time signals of account_features (health history, churn-risk training and backtests read it).
-- The query gives the month starts after $after: a full import builds them all (a far past day), a daily
-- refresh appends those after the first day its changes touch (a month start's signals read only data dated
-- before it, so the earlier rows stand; ingest/refresh.py).
-- grain: account_id, as_of
with month_starts as (
    select list(month_start order by month_start) as days
    from (
        select unnest(generate_series(
            date_trunc('month', (select min(valid_from) from account_mrr_intervals)) + interval 1 month,
            (select as_of from import_meta),
            interval 1 month))::date as month_start
    )
    where month_start > $after
)

select * from account_features((select days from month_starts))
order by as_of, account_id
