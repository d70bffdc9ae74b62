-- mrr_months: the first and last month start covered by mrr_by_account_month.
select min(month_start) as first_month, max(month_start) as last_month from mrr_by_account_month
