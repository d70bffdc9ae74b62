-- accounts_on_day: one row per filtered account active on $day (MRR > 0), with MRR(a, $day),
-- ARR = 12 × MRR at the rates of $day's month, and its attributes.
with accounts as (
    select * from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

active as (
    select intervals.account_id, sum(intervals.mrr_local * fx.rate) as mrr
    from account_mrr_intervals as intervals
    join fx_monthly as fx on fx.currency = intervals.currency and fx.month = fx_month($day::date)
    where intervals.valid_from <= $day::date and $day::date < coalesce(intervals.valid_to, date '9999-12-31')
    group by intervals.account_id
),

final as (
    select accounts.*, active.mrr
    from active
    join accounts using (account_id)
)

select * from final order by mrr desc, account_id
