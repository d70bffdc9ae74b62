-- products_on: one row per filtered account and product it pays for at the start of $as_of, with that product's MRR
-- (renewal_radar.expansion turns it into ARR with the figure registry's formula).
select lines.account_id, accounts.segment, lines.product, sum(lines.mrr) as mrr
from subscription_lines as lines
join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where lines.mrr > 0 and lines.start_date <= $as_of::date and $as_of::date < coalesce(lines.end_date, date '9999-12-31')
group by all
order by lines.account_id, lines.product
