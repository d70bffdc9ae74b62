-- mrr_on_days: one row per filtered account with MRR > 0 on $d0 or on $d1:
-- mrr_start = MRR(a, $d0), mrr_end = MRR(a, $d1), both at the rates of $rate_day's month (constant currency
-- for window metrics: $rate_day = $d0; metrics.md "Window metrics").
with accounts as (
    select account_id from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

intervals as (
    select intervals.*, intervals.mrr_local * fx.rate as mrr, coalesce(valid_to, date '9999-12-31') as valid_until
    from account_mrr_intervals as intervals
    join fx_monthly as fx on fx.currency = intervals.currency and fx.month = fx_month($rate_day::date)
    semi join accounts using (account_id)
),

final as (
    select
        account_id,
        coalesce(sum(mrr) filter (where valid_from <= $d0::date and $d0::date < valid_until), 0) as mrr_start,
        coalesce(sum(mrr) filter (where valid_from <= $d1::date and $d1::date < valid_until), 0) as mrr_end
    from intervals
    where (valid_from <= $d0::date and $d0::date < valid_until)
       or (valid_from <= $d1::date and $d1::date < valid_until)
    group by account_id
)

select * from final order by account_id
