-- stored_expansion_signals_of_account: the expansion signals the scoring stage stored for one account (the
-- Account page's, without reading the book's), largest potential ARR first.
select account_id, kind, share, feature, product, segment, potential_arr
from expansion_signals
where account_id = $account_id
order by potential_arr desc nulls last, kind, product
