-- account_tickets: one row per support ticket of the account opened before $as_of, newest first, with hours to solve.
select ticket_id, created_at, solved_at, priority, status, satisfaction, is_escalated,
    date_diff('minute', created_at, solved_at) / 60.0 as hours_to_solve
from stg_tickets
where account_id = $account_id and created_at < $as_of::date
order by created_at desc
