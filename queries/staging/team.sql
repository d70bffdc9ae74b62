-- stg_team: one row per CSM owner (team.csv, optional): the owner's manager and team as the forecast
-- rolls them up; names trimmed so they match accounts.csm_owner.
create or replace table stg_team as
select trim(owner) as owner, nullif(trim(manager), '') as manager, nullif(trim(team), '') as team,
    nullif(trim(email), '') as email
from raw_team
where owner is not null
