-- account_mrr_intervals: one row per account and interval [valid_from, valid_to) of constant
-- positive MRR(a, d) (metrics.md "Time and money"); valid_to null = open-ended.
-- MRR(a, d) is the mrr of the row with valid_from <= d < valid_to, else 0.
create or replace table account_mrr_intervals as
with positive_lines as (
    -- lines with mrr = 0 never count; same-day lines are never active
    select account_id, start_date, end_date, mrr::decimal(38, 10) as mrr
    from subscription_lines
    where mrr > 0 and (end_date is null or end_date > start_date)
),

deltas as (
    select account_id, start_date as change_date, mrr as delta from positive_lines
    union all
    select account_id, end_date, -mrr from positive_lines where end_date is not null
),

changes as (
    select account_id, change_date, sum(delta) as delta from deltas group by all
),

-- decimals keep the running sum exact, so an account that stops shows exactly 0
running as (
    select
        account_id,
        change_date as valid_from,
        lead(change_date) over by_account as valid_to,
        sum(delta) over (by_account rows between unbounded preceding and current row) as mrr
    from changes
    window by_account as (partition by account_id order by change_date)
),

final as (
    select account_id, valid_from, valid_to, mrr::double as mrr
    from running
    where mrr > 0
)

select * from final order by account_id, valid_from
