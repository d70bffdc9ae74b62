-- stored_health_scores: one row per filtered account scored on $as_of by the scoring stage: its health score
-- only (the At-risk page's trend reads last month's).
select scores.account_id, scores.health_score
from account_scores as scores
semi join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where scores.as_of = $as_of::date
