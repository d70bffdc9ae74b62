-- stg_subscriptions: one row per contract line and term. line_id is the file row, times 10,000, plus the
-- billing period counted back from the current one (0 for a file that already lists its lines).
--
-- A billing system's current-period export (Stripe's Dashboard: one row per subscription, its current period
-- only; current_period_end given) becomes one line per billing period, from the first paid day (the trial's
-- end, for a subscription that had one) to the current period's end, at the current price: that end is the
-- next renewal. A period ends early on ended_at (end_date) or, for a canceled subscription, on canceled_at.
-- Subscriptions that never paid (trialing until the trial ends, incomplete) carry no revenue. The last
-- period of a subscription set to cancel at period end is a churn already announced (cancels_at_period_end);
-- past_due and unpaid are revenue at risk (payment_at_risk). data/README.md says the same in words.
create or replace table stg_subscriptions as
with rows as (
    select
        raw_subscriptions.*,
        lower(nullif(trim(status), '')) as status_code,
        -- revenue starts when the trial ends
        greatest(start_date, coalesce(trial_end, start_date)) as paid_start,
        coalesce(end_date, case when lower(trim(status)) = 'canceled' then canceled_at end) as stopped_on
    from raw_subscriptions
),

listed as (
    -- files that already list their lines, one per term
    select rows.*, 0 as period_back, start_date as line_start, end_date as line_end, booked_date as line_booked,
        coalesce(cancel_at_period_end, false) as line_cancels
    from rows
    where current_period_end is null or coalesce(bill_period_months, 0) < 1
),

periods as (
    -- current-period rows: one line per billing period, counted back from the current period's end
    select rows.*, back.period_back,
        greatest(rows.paid_start, (rows.current_period_end - to_months((back.period_back + 1) * rows.bill_period_months))::date)
            as line_start,
        least((rows.current_period_end - to_months(back.period_back * rows.bill_period_months))::date, rows.stopped_on)
            as line_end,
        -- a past period was known (billed) when it began
        null::date as line_booked,
        back.period_back = 0 and coalesce(rows.cancel_at_period_end, false) as line_cancels
    from rows
    cross join lateral (
        select unnest(range(0, date_diff('month', rows.paid_start, rows.current_period_end)
                               // rows.bill_period_months + 2)) as period_back
    ) as back
    where rows.current_period_end is not null and rows.bill_period_months >= 1
),

lines as (
    select * from listed
    union all by name
    select * from periods
    where line_start < line_end and line_start < current_period_end
)

select
    _row * 10000 + period_back as line_id,
    _row as file_row,
    trim(account_id) as account_id,
    subscription_id,
    coalesce(nullif(trim(product), ''), 'Subscription') as product,
    line_start as start_date,
    line_end as end_date,
    -- a subscription that never paid is not revenue
    case when status_code in ('trialing', 'incomplete', 'incomplete_expired') then 0 else mrr end as mrr,
    quantity,
    units,
    bill_period_months,
    discount,
    upper(nullif(trim(currency), '')) as currency,
    notice_days,
    auto_renew,
    line_booked as booked_date,
    status_code as status,
    line_cancels as cancels_at_period_end,
    coalesce(status_code in ('past_due', 'unpaid'), false) as payment_at_risk,
    canceled_at,
    cancellation_reason,
    cancellation_feedback,
    cancellation_comment
from lines
