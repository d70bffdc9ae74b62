-- stored_account_value: the one account's row of account_residual_value (its projected renewals and residual
-- value on the data's as-of day), if it is active.
select * from account_residual_value where account_id = $account_id
