-- account_columns: no rows; the columns (and types) of accounts_dim, i.e. every account attribute.
select * from accounts_dim limit 0
