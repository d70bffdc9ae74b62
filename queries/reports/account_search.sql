-- account_search: one row per filtered account: id and name, for the account picker.
select account_id, name
from filtered_accounts($segments, $regions, $owners, $bill_periods)
order by name
