-- account_mrr_intervals: one row per account, currency and interval [valid_from, valid_to) of constant
-- positive own-currency MRR (metrics.md "Time and money"); valid_to null = open-ended. MRR(a, d) at the
-- rates of month r is Σ mrr_local × fx_monthly.rate(currency, r) over the rows with valid_from <= d < valid_to;
-- an account with any row covering d is active on d.
-- grain: account_id, currency, valid_from
create or replace table account_mrr_intervals as
with positive_lines as (
    -- lines with mrr = 0 never count; same-day lines are never active
    select account_id, currency, start_date, end_date, mrr_local::decimal(38, 10) as mrr_local
    from subscription_lines
    where mrr_local > 0 and (end_date is null or end_date > start_date)
),

deltas as (
    select account_id, currency, start_date as change_date, mrr_local as delta from positive_lines
    union all
    select account_id, currency, end_date, -mrr_local from positive_lines where end_date is not null
),

changes as (
    select account_id, currency, change_date, sum(delta) as delta from deltas group by all
),

-- decimals keep the running sum exact, so a currency that stops shows exactly 0
running as (
    select
        account_id,
        currency,
        change_date as valid_from,
        lead(change_date) over by_account as valid_to,
        sum(delta) over (by_account rows between unbounded preceding and current row) as mrr_local
    from changes
    window by_account as (partition by account_id, currency order by change_date)
),

final as (
    select account_id, currency, valid_from, valid_to, mrr_local::double as mrr_local
    from running
    where mrr_local > 0
)

select * from final order by account_id, valid_from
