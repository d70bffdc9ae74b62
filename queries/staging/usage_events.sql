-- stg_usage_events: one row per product event, as exported. A view: the events are read once, by the usage
-- roll-up (queries/rollup), and a 50-million-row copy would only cost time and disk.
create or replace view stg_usage_events as
select trim(account_id) as account_id, event_time, event_type, user_id, value
from raw_usage_events
