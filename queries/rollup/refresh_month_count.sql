-- refresh_month_count: one row: how many months a daily refresh rebuilds (0: no usage file changed), the first
-- of them and the day after the last one's end.
select count(*) as months, min(month) as first_month, max(month) + interval 1 month as end_month
from refresh_months
