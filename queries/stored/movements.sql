-- stored_movements: one row per month in [$start, $end) of the unfiltered MRR movements the scoring stage
-- stored at import (book_movements), the same rows metrics.monthly_movements computes live.
select *
from book_movements
where month >= $start::date and month < $end::date
order by month
