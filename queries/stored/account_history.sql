-- stored_account_history: one row per stored day in [$start, $end] on which account $account_id was scored
-- (account_scores): its health components, score, band and churn probability.
select * from account_scores
where account_id = $account_id and as_of between $start::date and $end::date
order by as_of
