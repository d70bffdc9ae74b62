-- stored_retention_curves: one row per group of the grouping $by and renewal period, from retention_curves:
-- the observed share still renewing, the fitted projection, and the backtest fit's projection.
select * from retention_curves where "by" = $by order by "group", period
