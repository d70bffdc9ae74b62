-- stored_accounts_now: the accounts active on the data's as-of day that pass the filters, with MRR, ARR and
-- attributes, largest first (book_accounts_now, stored by the scoring stage: reports/accounts_on_day's rows).
select *
from book_accounts_now
where account_id in (select account_id from filtered_accounts($segments, $regions, $owners, $bill_periods))
order by row_order
