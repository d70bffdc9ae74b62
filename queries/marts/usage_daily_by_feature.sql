-- usage_daily_by_feature: one row per account, day and feature: events and distinct active users, from raw
-- usage events (rolled up in the import by the roll-up's own statements, table events_daily) and from
-- pre-aggregated usage_daily files (a vendor's export or the output of `rollup-usage`) alike. A select over
-- the months being built ($every_month, else those in refresh_months); the import creates the table or
-- replaces those months' rows. Not sorted: ordering 26 M rows cost ten times the build itself, and readers
-- aggregate it anyway.
-- grain: account_id, usage_date, feature
with months as (
    select month from refresh_months
),

from_events as (
    select account_id, date as usage_date, feature, events::double as events, active_users
    from events_daily
    where $every_month or date_trunc('month', date)::date in (select month from months)
),

from_daily as (
    select account_id, usage_date, feature, sum(events) as events, max(active_users) as active_users
    from stg_usage_daily
    where $every_month or date_trunc('month', usage_date)::date in (select month from months)
    group by all
),

final as (
    select * from from_events
    union all
    select * from from_daily
)

select * from final
