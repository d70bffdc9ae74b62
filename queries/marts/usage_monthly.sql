-- usage_monthly: one row per account and month: events, distinct active users in the month, features used and
-- active days. Monthly users are exact where the user ids were seen (raw events, or the usage_monthly_users
-- files `rollup-usage` writes); with only a vendor's usage_daily, the largest daily active_users of the month.
-- A select over the months being built ($every_month, else those in refresh_months).
-- grain: account_id, month_start
with months as (
    select month from refresh_months
),

monthly_users as (
    select account_id, month as month_start, active_users from events_monthly_users
    union all
    select account_id, month_start, active_users from stg_usage_monthly_users
),

users as (
    select account_id, month_start, max(active_users) as active_users
    from monthly_users
    where $every_month or month_start in (select month from months)
    group by all
),

daily as (
    select
        account_id,
        date_trunc('month', usage_date)::date as month_start,
        sum(events) as events,
        max(active_users) as peak_daily_users,
        count(distinct feature) as features_used,
        count(distinct usage_date) as active_days
    from usage_daily_by_feature
    where $every_month or date_trunc('month', usage_date)::date in (select month from months)
    group by all
),

final as (
    select
        daily.account_id,
        daily.month_start,
        daily.events,
        coalesce(users.active_users, daily.peak_daily_users) as active_users,
        daily.features_used,
        daily.active_days
    from daily
    left join users using (account_id, month_start)
)

select * from final order by account_id, month_start
