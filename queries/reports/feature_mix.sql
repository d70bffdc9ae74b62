-- feature_mix: one row per account and feature of the last complete month before $as_of: events and share of the
-- account's events that month.
with last_month as (
    select account_id, feature, events
    from usage_monthly_by_feature
    where month_start = (date_trunc('month', $as_of::date) - interval 1 month)::date
)

select account_id, feature, events, events / sum(events) over (partition by account_id) as share
from last_month
order by account_id, feature
