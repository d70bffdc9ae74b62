-- team_members: one row per CSM owner of team.csv (stg_team): manager and team, as the forecast rolls up.
select owner as csm_owner, manager, team, email
from stg_team
order by team, manager, owner
