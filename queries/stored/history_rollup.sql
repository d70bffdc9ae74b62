-- stored_history_rollup: the trailing-year renewal history sums of each stored day in $days, for the accounts the
-- sidebar filters keep (the same four attributes filtered_accounts tests).
select *
from renewal_history_rollup
where list_contains($days::date[], as_of)
  and ($segments is null or list_contains($segments, segment))
  and ($regions is null or list_contains($regions, region))
  and ($owners is null or list_contains($owners, csm_owner))
  and ($bill_periods is null or list_contains($bill_periods, bill_period_months))
