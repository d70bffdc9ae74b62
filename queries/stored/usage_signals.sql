-- stored_usage_signals: one row per account scored on $as_of: the seat-use and usage-trend signals the scoring
-- stage stored with its scores (the same point-in-time signals account_features_on computes live).
select account_id, signal_license_utilisation, signal_usage_trend
from account_scores
where as_of = $as_of::date
order by account_id
