-- usage_monthly_users (roll-up): one row per account and calendar month: exact distinct active users over the
-- month, which daily counts cannot give (a user active on two days would count twice).
-- Runs unchanged on DuckDB and Spark SQL.
select
    account_id,
    cast(date_trunc('month', date) as date) as month,
    count(distinct user_id) as active_users
from usage_pairs
group by account_id, cast(date_trunc('month', date) as date)
