-- fx_currencies: the currencies with at least one positive exchange rate (money can be shown in them).
select distinct currency from stg_fx_rates where rate > 0 order by currency
