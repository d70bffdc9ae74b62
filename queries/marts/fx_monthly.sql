-- fx_monthly: one row per currency and month, from the first month any line or rate mentions to ten years
-- after the as-of month: units of reporting currency per unit (metrics.md "Time and money": the month's
-- rate, else the latest earlier one; a month before the table takes the first rate; 1.0 for the
-- reporting currency and for a currency without any rate).
-- grain: currency, month
create or replace table fx_monthly as
with settings as (
    select reporting_currency, date_trunc('month', as_of)::date as as_of_month from import_meta
),

currencies as (
    select distinct coalesce(lines.currency, accounts.currency, settings.reporting_currency) as currency
    from stg_subscriptions as lines
    left join stg_accounts as accounts using (account_id)
    cross join settings
    union
    select currency from stg_fx_rates
    union
    select reporting_currency from settings
),

bounds as (
    select
        least(
            (select date_trunc('month', min(start_date)) from stg_subscriptions),
            (select min(month) from stg_fx_rates),
            settings.as_of_month
        )::date as first_month,
        (settings.as_of_month + interval 120 month)::date as last_month
    from settings
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month from bounds
),

spine as (
    select currencies.currency, months.month from currencies cross join months
),

latest as (
    select spine.currency, spine.month, fx.rate
    from spine
    asof left join stg_fx_rates as fx on spine.currency = fx.currency and spine.month >= fx.month
),

first_rates as (
    select currency, arg_min(rate, month) as first_rate from stg_fx_rates group by currency
),

final as (
    select
        latest.currency,
        latest.month,
        case when latest.currency = settings.reporting_currency then 1.0
             else coalesce(latest.rate, first_rates.first_rate, 1.0) end as rate
    from latest
    cross join settings
    left join first_rates using (currency)
)

select * from final order by currency, month
