-- stored_retention_trend: one row per month start of the trailing-12-month GRR/NRR trend as of the data's as-of
-- day, unfiltered, as the scoring stage stored it (book_retention_trend).
select month, grr, nrr, logo_churn_rate
from book_retention_trend
order by month
