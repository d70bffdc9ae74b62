-- stg_renewal_opportunities: one row per CRM opportunity, as exported.
create or replace table stg_renewal_opportunities as
select
    opportunity_id,
    trim(account_id) as account_id,
    close_date,
    amount as amount_arr,
    upper(trim(currency)) as currency,
    type as opportunity_type,
    stage,
    forecast_category,
    probability,
    is_closed,
    is_won,
    owner,
    loss_reason,
    loss_comment,
    created_date
from raw_renewal_opportunities
