-- subscription_lines: one row per contract line; mrr in the reporting currency at the rate of the
-- line's start month (metrics.md "Time and money"); known_date is when the line was known.
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
        date_trunc('month', lines.start_date)::date as start_month
    from lines
    left join stg_accounts using (account_id)
    cross join settings
),

-- latest rate at or before the start month; a line older than the table takes its first rate
rated as (
    select line_currency.*, fx.rate as month_rate
    from line_currency
    asof left join stg_fx_rates as fx
        on line_currency.line_currency = fx.currency and line_currency.start_month >= fx.month
),

first_rates as (
    select currency, arg_min(rate, month) as first_rate from stg_fx_rates group by currency
),

final as (
    select
        rated.line_id,
        rated.account_id,
        rated.subscription_id,
        rated.product,
        rated.start_date,
        rated.end_date,
        rated.line_currency as currency,
        rated.mrr as mrr_local,
        case when rated.line_currency = settings.reporting_currency then 1.0
             else coalesce(rated.month_rate, first_rates.first_rate, 1.0) end as fx_rate,
        rated.mrr * fx_rate as mrr,
        rated.quantity,
        rated.bill_period_months,
        rated.discount,
        rated.notice_days,
        rated.auto_renew,
        rated.booked_date,
        coalesce(rated.booked_date, rated.start_date) as known_date
    from rated
    cross join settings
    left join first_rates on rated.line_currency = first_rates.currency
)

select * from final
