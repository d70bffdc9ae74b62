-- account_features_days: one row per account active at the start of each day in $days, with its point-in-time
-- signals (the scoring stage reads days that are not month starts this way, in one pass).
select * from account_features($days::date[]) order by as_of, account_id
