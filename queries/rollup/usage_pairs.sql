-- usage_pairs: one row per account, day, feature and user (user_id may be null) with its event count, from the
-- events at or after $read_from in the view usage_events_source. The one distinct pass every usage roll-up
-- reads: daily users per feature and monthly users are counts over it. Runs unchanged on DuckDB and Spark SQL.
select
    account_id,
    cast(event_time as date) as date,
    event_type as feature,
    user_id,
    count(*) as events
from usage_events_source
where account_id is not null
  and event_time is not null
  and event_type is not null
  and event_time >= $read_from
group by account_id, cast(event_time as date), event_type, user_id
