-- usage_monthly: one row per account and month: events, distinct active users in the month
-- (with only usage_daily: the largest daily active_users), features used and active days.
create or replace table usage_monthly as
with from_events as (
    select
        account_id,
        date_trunc('month', event_time)::date as month_start,
        count(*)::double as events,
        count(distinct user_id) as active_users,
        count(distinct event_type) as features_used,
        count(distinct event_time::date) as active_days
    from stg_usage_events
    group by all
),

from_daily as (
    select
        account_id,
        date_trunc('month', usage_date)::date as month_start,
        sum(events) as events,
        max(active_users) as active_users,
        count(distinct feature) as features_used,
        count(distinct usage_date) as active_days
    from stg_usage_daily
    group by all
),

final as (
    select * from from_events
    union all by name
    select * from from_daily
)

select * from final order by account_id, month_start
