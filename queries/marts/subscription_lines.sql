-- subscription_lines: one row per contract line; mrr_local in the line's currency (the line's, else the
-- account's, else the reporting currency) and mrr in the reporting currency at the rate of the line's start
-- month (for ranking lines; figures on a day convert at that day's month, metrics.md "Time and money");
-- known_date is when the line was known (booked, else started); cancels_at_period_end marks a line whose end is
-- a churn the customer announced, payment_at_risk a line whose payment is past due or unpaid.
-- grain: line_id
create or replace table subscription_lines as
with lines as (
    select * from stg_subscriptions
),

settings as (
    select reporting_currency from import_meta
),

line_currency as (
    select
        lines.*,
        coalesce(lines.currency, stg_accounts.currency, settings.reporting_currency) as line_currency,
        date_trunc('month', lines.start_date)::date as start_month,
        -- the rate month as a column: joined on fx_month(...) itself (a subquery inside), the join is a nested loop
        fx_month(lines.start_date) as rate_month
    from lines
    left join stg_accounts using (account_id)
    cross join settings
),

final as (
    select
        line_currency.line_id,
        line_currency.account_id,
        line_currency.subscription_id,
        line_currency.product,
        line_currency.start_date,
        line_currency.end_date,
        line_currency.line_currency as currency,
        line_currency.mrr as mrr_local,
        fx.rate as fx_rate,
        line_currency.mrr * fx.rate as mrr,
        line_currency.quantity,
        line_currency.bill_period_months,
        line_currency.discount,
        line_currency.notice_days,
        line_currency.auto_renew,
        line_currency.booked_date,
        coalesce(line_currency.booked_date, line_currency.start_date) as known_date,
        line_currency.status,
        line_currency.cancels_at_period_end,
        line_currency.canceled_at,
        line_currency.payment_at_risk
    from line_currency
    join fx_monthly as fx
        on fx.currency = line_currency.line_currency and fx.month = line_currency.rate_month
)

select * from final
