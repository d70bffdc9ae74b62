-- stored_account_lifetimes: one row per filtered account that started by $as_of (the data's as-of day), with its
-- attributes and first_end from book_first_churn (stored at import); the rows account_lifetimes computes live.
select accounts.*, churn.first_end
from filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts
left join book_first_churn as churn using (account_id)
where accounts.first_start is not null and accounts.first_start <= $as_of::date
order by account_id
