-- stored_forecast_calibration: one row per decile of predicted probability over the backtest days (written by the scoring stage).
select * from forecast_calibration order by decile
