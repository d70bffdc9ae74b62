-- Append one page_runs row: a page's script run, who ran it (role) and how long it took.
insert into page_runs (at, page, role, seconds, cpu_seconds) values ($at, $page, $role, $seconds, $cpu_seconds)
