-- account_owner: one row per account with this id (none when unknown): its CSM owner, for access checks.
select account_id, csm_owner from accounts_dim where account_id = $account_id
