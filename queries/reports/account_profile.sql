-- account_profile: one row: the account's attributes from accounts_dim (segment, owners, custom attributes, ...).
select * from accounts_dim where account_id = $account_id
