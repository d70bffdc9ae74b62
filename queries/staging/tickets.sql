-- stg_tickets: one row per support ticket; priority and satisfaction lower-cased.
create or replace table stg_tickets as
select
    ticket_id,
    trim(account_id) as account_id,
    created_at,
    solved_at,
    lower(priority) as priority,
    lower(status) as status,
    lower(satisfaction) as satisfaction,
    coalesce(escalated, false) as is_escalated
from raw_tickets
