-- usage_monthly_by_feature: one row per account, month and feature: events and the peak daily users. A select
-- over the months being built ($every_month, else those in refresh_months).
-- grain: account_id, month_start, feature
with daily as (
    select *
    from usage_daily_by_feature
    where $every_month or date_trunc('month', usage_date)::date in (select month from refresh_months)
),

final as (
    select
        account_id,
        date_trunc('month', usage_date)::date as month_start,
        feature,
        sum(events) as events,
        max(active_users) as peak_daily_users
    from daily
    group by all
)

select * from final order by account_id, month_start, feature
