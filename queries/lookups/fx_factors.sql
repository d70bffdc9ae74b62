-- fx_factors: units of $currency per unit of the reporting currency for every month of fx_monthly
-- (1 / rate of $currency in that month; metrics.md "Time and money", read through money.Converter).
-- No rows when fx_rates has no rate for $currency (fx_monthly would take such a currency at 1.0).
select month, 1.0 / rate as factor
from fx_monthly
where currency = $currency and rate > 0
  and currency in (select currency from stg_fx_rates where rate > 0)
order by month
