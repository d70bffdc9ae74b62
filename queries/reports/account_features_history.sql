-- account_features_history: one row per account and month start in [$start, $end] from the materialised signals.
select * from account_features_monthly where as_of between $start::date and $end::date order by as_of, account_id
