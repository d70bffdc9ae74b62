-- cohort_snapshots: one row per filtered account and month start s after its first month, up to
-- $as_of, with MRR(a, s) > 0 at the rates of the cohort's first month (constant currency, metrics.md "Cohorts";
-- $grain_months is 1 for month cohorts, 3 for quarter cohorts; $cohort, when not null, keeps that cohort only).
with all_members as (
    select
        account_id,
        date_trunc('month', first_start)::date as first_month,
        case when $grain_months::integer = 3 then date_trunc('quarter', first_start)::date
             else date_trunc('month', first_start)::date end as cohort_month
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
    where first_start is not null and first_start <= $as_of::date
),

members as (
    -- the rate month as a column: joined on fx_month(...) itself (a subquery inside), the join is a nested loop
    select *, fx_month(cohort_month) as rate_month
    from all_members where $cohort::date is null or cohort_month = $cohort::date
),

final as (
    select snapshots.account_id, snapshots.month_start, sum(snapshots.mrr_local * fx.rate) as mrr
    from mrr_by_account_month as snapshots
    join members using (account_id)
    join fx_monthly as fx on fx.currency = snapshots.currency and fx.month = members.rate_month
    where snapshots.month_start > members.first_month and snapshots.month_start <= $as_of::date
    group by all
)

select * from final order by account_id, month_start
