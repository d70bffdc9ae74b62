-- stg_usage_events: one row per product event, as exported.
create or replace table stg_usage_events as
select trim(account_id) as account_id, event_time, event_type, user_id, value
from raw_usage_events
