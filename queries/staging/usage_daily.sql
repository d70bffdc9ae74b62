-- stg_usage_daily: one row per account, day and feature (pre-aggregated exports), as exported.
create or replace table stg_usage_daily as
select trim(account_id) as account_id, date as usage_date, feature, events, active_users
from raw_usage_daily
