-- stg_accounts: one row per account, as exported. Trims text; keeps custom attribute columns.
create or replace table stg_accounts as
select * exclude (_row) replace (
    trim(account_id) as account_id,
    nullif(trim(segment), '') as segment,
    nullif(trim(region), '') as region,
    nullif(trim(csm_owner), '') as csm_owner,
    nullif(trim(am_owner), '') as am_owner,
    upper(nullif(trim(currency), '')) as currency
)
from raw_accounts
