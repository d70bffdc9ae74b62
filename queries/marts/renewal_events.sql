-- renewal_events: one row per account and renewal day e, the end_date of at least one of its lines
-- with mrr > 0 (metrics.md "Renewals"); due_mrr sums the lines ending on e; decision_date = e - notice_days;
-- known_date is the first day any of its lines was known (booked, else started).
create or replace table renewal_events as
with ending_lines as (
    -- a line that ends the day it starts was never active, so it is no renewal (and cannot renew itself)
    select * from subscription_lines where mrr > 0 and end_date > start_date
),

final as (
    select
        account_id,
        end_date as renewal_date,
        sum(mrr) as due_mrr,
        12 * sum(mrr) as due_arr,
        max(bill_period_months) as bill_period_months,
        max(notice_days) as notice_days,
        end_date - max(notice_days)::integer as decision_date,
        min(known_date) as known_date,  -- the first day any of its lines was known
        string_agg(distinct product, ', ' order by product) as products,
        count(*) as n_lines
    from ending_lines
    group by account_id, end_date
)

select * from final order by renewal_date, account_id
