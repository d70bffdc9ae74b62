-- feature_mix: one row per account and feature of the last complete month before $as_of whose share of the
-- account's events that month is at least $min_share, among the features in $features (null: every feature):
-- events and share. The expansion signals ask only for the heavy use of features an add-on sells.
with last_month as (
    select account_id, feature, events
    from usage_monthly_by_feature
    where month_start = (date_trunc('month', $as_of::date) - interval 1 month)::date
),

shares as (
    select account_id, feature, events, events / sum(events) over (partition by account_id) as share
    from last_month
)

select account_id, feature, events, share
from shares
where share >= $min_share and ($features is null or list_contains($features, feature))
order by account_id, feature
