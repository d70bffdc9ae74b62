-- account_surveys: one row per NPS/CSAT response of the account before $as_of, newest first.
select responded_at, kind, score, respondent, comment
from stg_surveys
where account_id = $account_id and responded_at < $as_of::date
order by responded_at desc
