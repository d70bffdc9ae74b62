-- stg_usage_monthly_users: one row per account and calendar month with its exact distinct active users, as
-- `rollup-usage` writes them beside usage_daily. A view, like the other usage staging.
create or replace view stg_usage_monthly_users as
select trim(account_id) as account_id, date_trunc('month', month)::date as month_start, active_users
from raw_usage_monthly_users
