-- usage_events_source (import): the staged raw usage events as the roll-up statements read them, so an import
-- of raw events and `rollup-usage` followed by an import of its output build the same usage marts (a full
-- import: every month).
create or replace view usage_events_source as
select account_id, event_time, event_type, user_id
from stg_usage_events
