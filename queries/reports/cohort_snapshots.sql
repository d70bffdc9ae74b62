-- cohort_snapshots: one row per filtered account and month start s after its first month, up to
-- $as_of, with MRR(a, s) > 0. Cohort periods read these snapshot days (metrics.md "Cohorts").
with members as (
    select account_id, date_trunc('month', first_start)::date as first_month
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
    where first_start is not null and first_start <= $as_of::date
),

final as (
    select snapshots.account_id, snapshots.month_start, snapshots.mrr
    from mrr_by_account_month as snapshots
    join members using (account_id)
    where snapshots.month_start > members.first_month and snapshots.month_start <= $as_of::date
)

select * from final order by account_id, month_start
