-- stored_call_judgements: the renewals the CRM had called on each backtest day with what renewed (the scoring
-- stage's call_judgements, default horizon), for the accounts passing the filters, in the order judged.
select judged.*
from call_judgements as judged
where judged.account_id in (select account_id from filtered_accounts($segments, $regions, $owners, $bill_periods))
order by judged.row_order
