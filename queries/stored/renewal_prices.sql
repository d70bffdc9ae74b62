-- stored_renewal_prices: each renewal of a filtered account due in [$as_of, $as_of + $horizon_days) as scored on
-- $as_of with what prices it (probability, source, category): stored_renewal_scores narrowed, same order.
select scores.account_id, scores.renewal_date, scores.probability, scores.source, scores.category
from renewal_scores as scores
join filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts using (account_id)
where scores.as_of = $as_of::date and scores.renewal_date < scores.as_of + $horizon_days::integer
order by scores.renewal_date, scores.account_id
