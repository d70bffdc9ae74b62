-- stored_retention_fits: one row per group of the grouping $by (bill_period_months, or segment within it) from
-- the retention_fits table the scoring stage stores: α, β, accounts, churns, periods observed, backtest error.
select * from retention_fits where "by" = $by order by bill_period_months, segment
