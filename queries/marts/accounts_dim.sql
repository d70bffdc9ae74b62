-- accounts_dim: one row per account found in accounts or subscriptions, with its attributes,
-- first_start (metrics.md "Time and money"), base_mrr = MRR on first_start at its month's rates, its currency, the billing period
-- of its largest line, and every custom attribute column of accounts.
-- grain: account_id
create or replace table accounts_dim as
with ids as (
    select account_id from stg_accounts
    union
    select account_id from stg_subscriptions
),

first_starts as (
    -- the rate month as a column: joined on fx_month(...) itself (a subquery inside), the join is a nested loop
    select account_id, first_start, fx_month(first_start) as rate_month
    from (select account_id, min(valid_from) as first_start from account_mrr_intervals group by account_id)
),

-- MRR on first_start at that month's rates (every currency the account started with)
base as (
    select intervals.account_id, sum(intervals.mrr_local * fx.rate) as base_mrr
    from account_mrr_intervals as intervals
    join first_starts
        on intervals.account_id = first_starts.account_id and intervals.valid_from = first_starts.first_start
    join fx_monthly as fx on fx.currency = intervals.currency and fx.month = first_starts.rate_month
    group by intervals.account_id
),

-- the billing period of the account's largest, latest line stands for the account
main_line as (
    select account_id, arg_max(bill_period_months, (mrr, start_date)) as bill_period_months,
        arg_max(product, (mrr, start_date)) as main_product,
        arg_max(currency, (mrr, start_date)) as main_currency
    from subscription_lines
    where mrr > 0
    group by account_id
),

final as (
    select
        ids.account_id,
        coalesce(stg_accounts.name, ids.account_id) as name,
        coalesce(stg_accounts.segment, '(none)') as segment,
        coalesce(stg_accounts.region, '(none)') as region,
        coalesce(stg_accounts.csm_owner, '(unassigned)') as csm_owner,
        coalesce(stg_accounts.am_owner, '(unassigned)') as am_owner,
        main_line.bill_period_months,
        main_line.main_product,
        coalesce(stg_accounts.currency, main_line.main_currency) as billing_currency,
        first_starts.first_start,
        base.base_mrr,
        stg_accounts.* exclude (account_id, name, segment, region, csm_owner, am_owner)
    from ids
    left join stg_accounts using (account_id)
    left join first_starts using (account_id)
    left join base using (account_id)
    left join main_line using (account_id)
)

select * from final order by account_id
