-- account_renewal_events: one account's renewal events due before $before, from the renewal_events table the import
-- built (everything exported known), with the columns renewals.classify_outcomes reads, for its past renewals'
-- price, volume and mix on the Account page.
-- grain: account_id, renewal_date
select account_id, renewal_date, due_mrr, bill_period_months, notice_days, decision_date, products,
    cancels_at_period_end, payment_at_risk, renewal_start, renewed_mrr
from renewal_events
where account_id = $account_id and renewal_date < $before::date
order by renewal_date
