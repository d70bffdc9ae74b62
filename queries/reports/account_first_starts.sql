-- account_first_starts: one row per account with its first paid day (tenure is counted from it).
select account_id, first_start from accounts_dim
