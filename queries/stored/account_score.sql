-- stored_account_score: the one account's row of stored_account_scores on $as_of (the Account page and the
-- review pack read one account, not the book).
select scores.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.bill_period_months,
    accounts.main_product
from account_scores as scores
join accounts_dim as accounts using (account_id)
where scores.as_of = $as_of::date and scores.account_id = $account_id
