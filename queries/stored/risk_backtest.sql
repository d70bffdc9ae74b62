-- stored_risk_backtest: one row per month start of the past year: how well churn risk and health predicted churn (written by the scoring stage).
select * from risk_backtest order by as_of
