-- stored_forecast_backtest: one row per month start of the past year: the stored forecast against what renewed (written by the scoring stage).
select * from forecast_backtest order by as_of
