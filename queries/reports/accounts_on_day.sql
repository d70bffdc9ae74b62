-- accounts_on_day: one row per filtered account active on $day (MRR > 0), with MRR(a, $day),
-- ARR = 12 × MRR and its attributes.
with accounts as (
    select * from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

active as (
    select account_id, sum(mrr) as mrr
    from account_mrr_intervals
    where valid_from <= $day::date and $day::date < coalesce(valid_to, date '9999-12-31')
    group by account_id
),

final as (
    select accounts.*, active.mrr, 12 * active.mrr as arr
    from active
    join accounts using (account_id)
)

select * from final order by arr desc, account_id
