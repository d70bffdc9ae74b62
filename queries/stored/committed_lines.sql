-- stored_committed_lines: the lines between ARR and committed ARR on the data's as-of day (signed, not yet live;
-- cancellations announced) of the accounts passing the filters, as the scoring stage stored them
-- (book_committed_lines), in their order.
select *
from book_committed_lines
where account_id in (select account_id from filtered_accounts($segments, $regions, $owners, $bill_periods))
order by row_order
