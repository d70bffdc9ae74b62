-- stored_account_renewal_scores: one account's renewals due in [$as_of, $as_of + $horizon_days) as scored on the
-- stored day $as_of (renewal_scores), with its name and attributes: stored/renewal_scores for one account.
select scores.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.am_owner
from renewal_scores as scores
join accounts_dim as accounts using (account_id)
where scores.account_id = $account_id and scores.as_of = $as_of
  and scores.renewal_date < scores.as_of + $horizon_days::integer
order by scores.renewal_date
