-- filtered_accounts(segments, regions, owners, bill_periods): accounts_dim rows passing the sidebar
-- filters; a null list means "all". Every report joins it so the filters mean the same everywhere.
create or replace macro filtered_accounts(segments, regions, owners, bill_periods) as table
select *
from accounts_dim
where (segments is null or list_contains(segments, segment))
  and (regions is null or list_contains(regions, region))
  and (owners is null or list_contains(owners, csm_owner))
  and (bill_periods is null or list_contains(bill_periods, bill_period_months))
