-- table_profile: one row per input table: rows loaded and the range of its main date column.
select 'accounts' as table_name, count(*) as row_count, min(created_date)::date as first_date,
    max(created_date)::date as last_date from stg_accounts
union all
select 'subscriptions', count(*), min(start_date), max(start_date) from stg_subscriptions
union all
select 'renewal_opportunities', count(*), min(close_date), max(close_date) from stg_renewal_opportunities
union all
select 'usage_events', count(*), min(event_time)::date, max(event_time)::date from stg_usage_events
union all
select 'usage_daily', count(*), min(usage_date), max(usage_date) from stg_usage_daily
union all
select 'tickets', count(*), min(created_at)::date, max(created_at)::date from stg_tickets
union all
select 'surveys', count(*), min(responded_at)::date, max(responded_at)::date from stg_surveys
union all
select 'activities', count(*), min(occurred_at)::date, max(occurred_at)::date from stg_activities
union all
select 'fx_rates', count(*), min(month), max(month) from stg_fx_rates
