-- account_first_churn: one row per account whose logo churned as of $as_of, with its first logo churn day
-- (known_logo_churns: the last positive line ended, nothing covers the day or starts within grace, the grace
-- period is over). Stored at import as book_first_churn; account_lifetimes computes the same live for any other
-- day.
select account_id, first_end
from known_logo_churns($as_of::date, $grace_days::integer)
