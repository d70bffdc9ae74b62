-- mrr_month_pairs: one row per filtered account and month m0 in [$start, $end) with MRR > 0 on m0 or
-- on m1 (next month's first day): prev_mrr = MRR(a, m0) and cur_mrr = MRR(a, m1), both at m0's rates,
-- cur_mrr_actual = MRR(a, m1) at m1's rates (the difference is the fx movement), and first_start
-- (metrics.md "MRR movements per month"). The full join adds the explicit zero month after the last active one.
with accounts as (
    select account_id, first_start from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

snapshots as (
    select account_id, month_start, sum(mrr) as mrr, sum(mrr_at_prior_rates) as mrr_at_prior_rates
    from mrr_by_account_month
    semi join accounts using (account_id)
    group by account_id, month_start
),

pairs as (
    select
        coalesce(prev.account_id, cur.account_id) as account_id,
        coalesce(prev.month_start, (cur.month_start - interval 1 month)::date) as month_start,
        coalesce(prev.mrr, 0) as prev_mrr,
        coalesce(cur.mrr_at_prior_rates, 0) as cur_mrr,
        coalesce(cur.mrr, 0) as cur_mrr_actual
    from snapshots as prev
    full join snapshots as cur
        on prev.account_id = cur.account_id
        and cur.month_start = (prev.month_start + interval 1 month)::date
),

final as (
    select pairs.*, accounts.first_start
    from pairs
    join accounts using (account_id)
    where pairs.month_start >= $start::date and pairs.month_start < $end::date
)

select * from final order by month_start, account_id
