-- stored_renewal_rows_between: every stored renewal row (renewal_scores) of the days in [$start, $end), as the
-- scoring stage stored them; the live path chooses a day's forecast method from them (forecast_method).
select *
from renewal_scores
where as_of >= $start::date and as_of < $end::date
order by as_of, renewal_date, account_id
