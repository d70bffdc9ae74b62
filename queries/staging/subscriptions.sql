-- stg_subscriptions: one row per contract line and term, as exported; line_id is the file row.
create or replace table stg_subscriptions as
select
    _row as line_id,
    trim(account_id) as account_id,
    subscription_id,
    coalesce(nullif(trim(product), ''), 'Subscription') as product,
    start_date,
    end_date,
    mrr,
    quantity,
    units,
    bill_period_months,
    discount,
    upper(nullif(trim(currency), '')) as currency,
    notice_days,
    auto_renew,
    booked_date
from raw_subscriptions
