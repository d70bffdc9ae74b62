-- cohort_members: one row per filtered account that started by $as_of, with first_start, every account
-- attribute and base_mrr = MRR(a, first_start) at the rates of the cohort's first month (metrics.md "Cohorts";
-- $grain_months is 1 for month cohorts, 3 for quarter cohorts; $cohort, when not null, keeps that cohort only).
with all_members as (
    select
        *,
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

base as (
    select members.account_id, sum(intervals.mrr_local * fx.rate) as cohort_base_mrr
    from members
    join account_mrr_intervals as intervals
        on intervals.account_id = members.account_id and intervals.valid_from = members.first_start
    join fx_monthly as fx on fx.currency = intervals.currency and fx.month = members.rate_month
    group by members.account_id
),

final as (
    select members.* exclude (base_mrr, cohort_month, rate_month), base.cohort_base_mrr as base_mrr
    from members
    join base using (account_id)
)

select * from final order by account_id
