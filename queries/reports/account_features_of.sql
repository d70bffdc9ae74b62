-- account_features_of: one row per month start in [$start, $end] at which the account was active, with its signals.
select * from account_features_monthly
where account_id = $account_id and as_of between $start::date and $end::date
order by as_of
