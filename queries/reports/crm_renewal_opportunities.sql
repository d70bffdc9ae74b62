-- crm_renewal_opportunities: one row per CRM opportunity of a filtered account that was known on $as_of, with its
-- category normalised (Closed Won / Closed Lost / Commit / Best Case / Pipeline / Omitted). An opportunity's stage
-- is the export's snapshot, so before the data's as-of day only opportunities already closed count (their outcome
-- was known); open ones carry no usable judgement for an earlier day.
with snapshot as (
    select as_of as data_as_of from import_meta
),

opportunities as (
    select
        opportunity_id,
        account_id,
        close_date,
        amount_arr,
        stage,
        probability,
        owner,
        case
            when coalesce(is_closed, false) or lower(forecast_category) in ('closed', 'closed won', 'closed lost')
                then case when coalesce(is_won, false) or lower(stage) = 'closed won' then 'Closed Won'
                          else 'Closed Lost' end
            else forecast_category
        end as category,
        coalesce(is_closed, false) as is_closed
    from stg_renewal_opportunities
    semi join filtered_accounts($segments, $regions, $owners, $bill_periods) using (account_id)
    where (created_date is null or created_date <= $as_of::date)
      and coalesce(lower(opportunity_type), 'renewal') like '%renewal%'
)

select opportunities.*
from opportunities
cross join snapshot
where $as_of::date >= snapshot.data_as_of
   or (opportunities.is_closed and opportunities.close_date < $as_of::date)
