-- stored_expansion_signals: the expansion signals the scoring stage stored for the data's as-of day (every
-- account, as numbers: expansion.SIGNAL_COLUMNS), largest potential ARR first.
select account_id, kind, share, feature, product, segment, potential_arr
from expansion_signals
order by potential_arr desc nulls last, account_id, kind, product
