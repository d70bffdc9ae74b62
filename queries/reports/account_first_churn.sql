-- account_first_churn: one row per account with a churned renewal as of $as_of: its first churned renewal day
-- (no positive line starts in [e, e + grace] and the grace period is over). Stored at import as
-- book_first_churn; account_lifetimes computes the same live for any other day.
select account_id, min(renewal_date) as first_end
from known_renewal_events($as_of::date, $grace_days::integer)
where renewed_mrr = 0 and renewal_date + $grace_days::integer <= $as_of::date
group by account_id
