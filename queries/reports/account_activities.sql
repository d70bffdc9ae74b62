-- account_activities: one row per CSM/AM interaction with the account before $as_of, newest first.
select occurred_at, kind, subject, owner
from stg_activities
where account_id = $account_id and occurred_at < $as_of::date
order by occurred_at desc
