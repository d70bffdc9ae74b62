-- stg_targets: one row per fiscal quarter and optional segment or team (targets.csv, optional): the plan's
-- target GRR on renewals (0-1) and/or target renewed ARR; the quarter written as 2027-Q1.
create or replace table stg_targets as
select upper(regexp_replace(regexp_replace(trim(quarter), '^(?i:FY)', ''), '\s*-?\s*[Qq]', '-Q')) as quarter,
    nullif(trim(segment), '') as segment, nullif(trim(team), '') as team, target_grr, target_renewed_arr
from raw_targets
