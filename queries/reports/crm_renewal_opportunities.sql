-- crm_renewal_opportunities: one row per as-of day of $days and CRM opportunity of a filtered account that was
-- known on that day, with its category normalised (Closed Won / Closed Lost / Commit / Best Case / Pipeline /
-- Omitted). The export holds each opportunity's stage of the data's as-of day; for an earlier day an opportunity
-- counts when it had already closed (its outcome was known) or when the opportunity history
-- (stg_opportunity_history) says how it stood then: the latest change before the day gives its stage, category,
-- probability, amount and close date. Several days in one query: a scoring run asks for every day it scores
-- (one plan instead of one a day; on a small book the plan costs more than the rows).
with snapshot as (
    select as_of as data_as_of from import_meta
),

days as (
    select unnest($days::date[]) as as_of
),

calls as (
    select
        days.as_of,
        history.opportunity_id,
        arg_max(stage, changed_at) as stage,
        arg_max(forecast_category, changed_at) as forecast_category,
        arg_max(probability, changed_at) as probability,
        arg_max(amount_arr, changed_at) as amount_arr,
        arg_max(close_date, changed_at) as close_date
    from stg_opportunity_history as history
    join days on history.changed_at < days.as_of
    group by days.as_of, history.opportunity_id
),

exported as (
    select
        days.as_of,
        opportunity.opportunity_id,
        opportunity.account_id,
        opportunity.close_date,
        opportunity.amount_arr,
        opportunity.stage,
        opportunity.probability,
        opportunity.owner,
        case
            when coalesce(opportunity.is_closed, false)
                or lower(opportunity.forecast_category) in ('closed', 'closed won', 'closed lost')
                then case when coalesce(opportunity.is_won, false) or lower(opportunity.stage) = 'closed won'
                          then 'Closed Won' else 'Closed Lost' end
            else opportunity.forecast_category
        end as category,
        coalesce(opportunity.is_closed, false) as is_closed
    from stg_renewal_opportunities as opportunity
    join days on opportunity.created_date is null or opportunity.created_date <= days.as_of
    semi join filtered_accounts($segments, $regions, $owners, $bill_periods) using (account_id)
    where true
      -- a renewal's call unless its type says new business or an upsell, in any language (crm_types.py)
      and not exists (select 1 from unnest($other_types::varchar[]) as words(word)
                      where contains(lower(coalesce(opportunity.opportunity_type, '')), words.word))
),

-- an opportunity open on the day, as the history says it stood then
as_called as (
    select
        exported.as_of,
        exported.opportunity_id,
        exported.account_id,
        coalesce(calls.close_date, exported.close_date) as close_date,
        coalesce(calls.amount_arr, exported.amount_arr) as amount_arr,
        calls.stage,
        calls.probability,
        exported.owner,
        case
            when lower(calls.stage) = 'closed won' then 'Closed Won'
            when lower(calls.stage) = 'closed lost' then 'Closed Lost'
            when lower(calls.forecast_category) in ('closed', 'closed won') then 'Closed Won'
            else calls.forecast_category
        end as category,
        false as is_closed
    from exported
    join calls using (as_of, opportunity_id)
    cross join snapshot
    where exported.as_of < snapshot.data_as_of
      and not (exported.is_closed and exported.close_date < exported.as_of)
)

select exported.*
from exported
cross join snapshot
where exported.as_of >= snapshot.data_as_of
   or (exported.is_closed and exported.close_date < exported.as_of)
union all
select * from as_called
