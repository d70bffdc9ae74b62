-- stg_opportunity_history: one row per change of a CRM opportunity (opportunity_history, optional: Salesforce's
-- OpportunityHistory / Opportunity History report): the call as it stood from changed_at on.
create or replace table stg_opportunity_history as
select trim(opportunity_id) as opportunity_id, changed_at, stage, forecast_category, probability,
    amount as amount_arr, close_date
from raw_opportunity_history
where opportunity_id is not null and changed_at is not null
