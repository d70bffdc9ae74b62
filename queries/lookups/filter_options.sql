-- filter_options: one row per value of each sidebar filter (segment, region, csm_owner, bill_period_months)
-- with the number of accounts that carry it.
select 'segment' as filter, segment as value, count(*) as accounts from accounts_dim group by all
union all
select 'region', region, count(*) from accounts_dim group by all
union all
select 'csm_owner', csm_owner, count(*) from accounts_dim group by all
union all
select 'bill_period_months', bill_period_months::varchar, count(*) from accounts_dim
where bill_period_months is not null group by all
order by filter, value
