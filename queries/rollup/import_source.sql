-- usage_events_source (import): the staged raw usage events as the roll-up statements read them, so an import
-- of raw events and `rollup-usage` followed by an import of its output build the same usage marts. Every month
-- when refresh_months is empty (a full import), else only the months a daily refresh rebuilds.
create or replace view usage_events_source as
select account_id, event_time, event_type, user_id
from stg_usage_events
where not exists (select 1 from refresh_months)
   or date_trunc('month', event_time)::date in (select month from refresh_months)
