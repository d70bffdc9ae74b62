-- usage_events_source (daily refresh): the staged raw usage events of the months in refresh_months only. The
-- range on event_time lets DuckDB skip the row groups of other months (events load in file order, which is
-- time order for daily files); the month list keeps a gap between two refreshed months out.
create or replace temp table usage_events_source as
select account_id, event_time, event_type, user_id
from stg_usage_events
where event_time >= $first_month::timestamp
  and event_time < $end_month::timestamp
  and date_trunc('month', event_time)::date in (select month from refresh_months)
