-- stg_activities: one row per CSM/AM interaction; kind lower-cased with spaces as underscores.
create or replace table stg_activities as
select
    trim(account_id) as account_id,
    occurred_at,
    replace(lower(trim(kind)), ' ', '_') as kind,
    subject,
    owner
from raw_activities
