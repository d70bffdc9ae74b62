-- account_usage_features: one row per month and feature of the account's usage: events and peak daily users.
select month_start, feature, events, peak_daily_users
from usage_monthly_by_feature
where account_id = $account_id and month_start < $as_of::date
order by month_start, feature
