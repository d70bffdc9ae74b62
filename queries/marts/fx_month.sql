-- fx_month(day): the month whose fx_monthly rate applies to day (months past the table take its last month).
create or replace macro fx_month(day) as
    least(date_trunc('month', day)::date, (select max(month) from fx_monthly));
