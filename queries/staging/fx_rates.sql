-- stg_fx_rates: one row per currency and month; month truncated to its first day.
create or replace table stg_fx_rates as
select upper(trim(currency)) as currency, date_trunc('month', month)::date as month, rate
from raw_fx_rates
