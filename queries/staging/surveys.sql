-- stg_surveys: one row per survey response; kind upper-cased (NPS, CSAT), guessed from the scale when empty.
create or replace table stg_surveys as
select
    trim(account_id) as account_id,
    responded_at,
    score,
    coalesce(upper(nullif(trim(kind), '')), case when score > 5 or score = 0 then 'NPS' else 'CSAT' end) as kind,
    respondent,
    comment
from raw_surveys
