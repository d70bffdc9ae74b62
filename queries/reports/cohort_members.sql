-- cohort_members: one row per filtered account that started by $as_of, with first_start and
-- base_mrr = MRR(a, first_start) (metrics.md "Cohorts"), and every account attribute.
select *
from filtered_accounts($segments, $regions, $owners, $bill_periods)
where first_start is not null and first_start <= $as_of::date
order by account_id
