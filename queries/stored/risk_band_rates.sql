-- stored_risk_band_rates: one row per health band: accounts, churned within 90 days and churn rate over the backtest days (written by the scoring stage).
select * from risk_band_rates
order by case band when 'red' then 0 when 'yellow' then 1 else 2 end
