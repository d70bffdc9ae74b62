-- mrr_by_account_month: one row per account, currency and month start with own-currency MRR > 0 on that day
-- (months with MRR 0 are absent, reports add them back): mrr_local, mrr at that month's rate, and
-- mrr_at_prior_rates at the previous month's rate (constant currency for movements, metrics.md).
-- grain: account_id, currency, month_start
create or replace table mrr_by_account_month as
with bounds as (
    select
        date_trunc('month', min(valid_from))::date as first_month,
        (date_trunc('month', (select as_of from import_meta)) + interval 1 month)::date as last_month
    from account_mrr_intervals
),

months as (
    -- the previous month's rate month as a column: a join on greatest(..., subquery) is planned as a nested loop
    select month_start,
        greatest((month_start - interval 1 month)::date, (select min(month) from fx_monthly)) as prior_month
    from (select unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start
          from bounds)
),

local_months as (
    select intervals.account_id, intervals.currency, months.month_start, intervals.mrr_local, months.prior_month
    from months
    join account_mrr_intervals as intervals
        on months.month_start >= intervals.valid_from
        and months.month_start < coalesce(intervals.valid_to, date '9999-12-31')
),

final as (
    select
        local_months.* exclude (prior_month),
        local_months.mrr_local * fx.rate as mrr,
        local_months.mrr_local * prior.rate as mrr_at_prior_rates
    from local_months
    join fx_monthly as fx on fx.currency = local_months.currency and fx.month = local_months.month_start
    join fx_monthly as prior
        on prior.currency = local_months.currency
        and prior.month = local_months.prior_month
)

select * from final order by account_id, month_start
