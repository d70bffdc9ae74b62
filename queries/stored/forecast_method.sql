-- stored_forecast_method: the forecast method the scoring stage chose for $as_of (forecast_methods; at most
-- one row), with each method's mean absolute % error in the backtest that chose it.
select *
from forecast_methods
where as_of = $as_of::date
