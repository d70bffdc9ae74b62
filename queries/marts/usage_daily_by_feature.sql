-- usage_daily_by_feature: one row per account, day and feature: events and distinct active users,
-- from usage_events and from pre-aggregated usage_daily alike.
create or replace table usage_daily_by_feature as
with from_events as (
    select
        account_id,
        event_time::date as usage_date,
        event_type as feature,
        count(*)::double as events,
        count(distinct user_id) as active_users
    from stg_usage_events
    group by all
),

from_daily as (
    select account_id, usage_date, feature, sum(events) as events, max(active_users) as active_users
    from stg_usage_daily
    group by all
),

final as (
    select * from from_events
    union all
    select * from from_daily
)

select * from final order by account_id, usage_date, feature
