-- feature_events_of_months: one row per account, month start in $months and feature, with the month's events
-- (the per-feature usage a metric cohort reads for the month before its day).
select account_id, month_start, feature, events
from usage_monthly_by_feature
where month_start in (select unnest($months::date[]))
