-- account_lifetimes: one row per filtered account that started by $as_of: first_start and first_end,
-- the first day it is not active (null while its first run of activity continues), with attributes.
-- Survival (metrics.md "Cohorts") censors at $as_of the accounts whose first_end is later or null.
with intervals as (
    select
        account_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by account_id order by valid_from) as next_from
    from account_mrr_intervals
),

run_ends as (
    select account_id, min(valid_to) as first_end
    from intervals
    where valid_to is not null and (next_from is null or next_from > valid_to)
    group by account_id
),

final as (
    select accounts.*, run_ends.first_end
    from filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts
    left join run_ends using (account_id)
    where accounts.first_start is not null and accounts.first_start <= $as_of::date
)

select * from final order by account_id
