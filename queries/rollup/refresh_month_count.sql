-- refresh_month_count: one row, how many months a daily refresh rebuilds (0: no usage file changed).
select count(*) as months from refresh_months
