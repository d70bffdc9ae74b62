-- usage_daily (roll-up): one row per account, day and feature from $since on: events and exact distinct
-- active users (the pairs are distinct per user, so counting non-null user ids counts users).
-- Runs unchanged on DuckDB and Spark SQL.
select
    account_id,
    date,
    feature,
    cast(sum(events) as bigint) as events,
    count(user_id) as active_users
from usage_pairs
where date >= $since
group by account_id, date, feature
