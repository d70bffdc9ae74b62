-- account_features_on: one row per account active at the start of $as_of, with its point-in-time signals.
select * from account_features([$as_of::date]) order by account_id
