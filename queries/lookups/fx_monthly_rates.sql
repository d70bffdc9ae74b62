-- fx_monthly_rates: units of reporting currency per unit of each currency, every month of fx_monthly (a day's
-- month past the table takes its last month, as fx_month does).
-- grain: currency, month
select currency, month, rate from fx_monthly order by currency, month
