-- audit_log rows at or after $since, newest first, at most $limit.
select at, email, role, action, detail
from audit_log
where at >= $since
order by at desc, rowid desc
limit $limit
