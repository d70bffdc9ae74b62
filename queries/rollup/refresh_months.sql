-- refresh_months: the calendar months whose usage a build recomputes; empty for a full import (which builds
-- every month), filled by a daily refresh with the months its new or withdrawn usage files touch.
create or replace table refresh_months as
select cast(null as date) as month
where false
