-- mrr_by_account_month: one row per account and month start with MRR > 0 on that day
-- (snapshot at the start of the month; months with MRR 0 are absent, reports add them back).
create or replace table mrr_by_account_month as
with bounds as (
    select
        date_trunc('month', min(valid_from))::date as first_month,
        (date_trunc('month', (select as_of from import_meta)) + interval 1 month)::date as last_month
    from account_mrr_intervals
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start
    from bounds
),

final as (
    select intervals.account_id, months.month_start, intervals.mrr
    from months
    join account_mrr_intervals as intervals
        on months.month_start >= intervals.valid_from
        and months.month_start < coalesce(intervals.valid_to, date '9999-12-31')
)

select * from final order by account_id, month_start
