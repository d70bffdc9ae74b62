-- score_status: the latest scoring run (fingerprint of the settings it used, when, how many days) and the days
-- it stored.
select runs.*, (select list(distinct as_of order by as_of) from account_scores) as stored_days
from score_runs as runs
