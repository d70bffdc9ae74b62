-- stg_usage_daily: one row per account, day and feature (pre-aggregated exports), as exported. A view: the
-- rows are read once, by the usage marts of the months being built.
create or replace view stg_usage_daily as
select trim(account_id) as account_id, date as usage_date, feature, events, active_users
from raw_usage_daily
