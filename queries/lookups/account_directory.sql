-- account_directory: one row per filtered account: id, name and the attributes tables show next to it.
select account_id, name, segment, region, csm_owner, am_owner, bill_period_months, main_product
from filtered_accounts($segments, $regions, $owners, $bill_periods)
order by account_id
