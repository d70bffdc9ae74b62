-- account_lines: one row per contract line of the account: product, dates, seats, MRR (reporting currency), notice.
select line_id, subscription_id, product, start_date, end_date, quantity, mrr, currency, mrr_local,
    bill_period_months, notice_days, end_date - notice_days::integer as decision_date
from subscription_lines
where account_id = $account_id
order by start_date, product
