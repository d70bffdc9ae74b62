-- page_runs rows at or after $since (the Data page's p50/p95 per page and role).
select at, page, role, seconds, cpu_seconds
from page_runs
where at >= $since
