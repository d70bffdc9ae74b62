-- renewal_outcomes_days: the rows of renewal_outcomes for several days at once, each day ($days[i]) with its
-- own window $starts[i] <= e < $ends[i], as known on that day; as_of names the day. One query joins the days
-- laterally on known_renewal_events: on a small book one plan a day costs more than the rows (a scoring run asks
-- for every past day it scores; on a large book the lateral join is slower and it asks day by day).
with accounts as (
    select account_id, name, segment, region, csm_owner, am_owner, bill_period_months as account_bill_period_months
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

windows as (
    select unnest($days::date[]) as as_of, unnest($starts::date[]) as window_start,
        unnest($ends::date[]) as window_end
),

events as (
    select windows.as_of, known.*
    from windows,
        lateral (select * from known_renewal_events(windows.as_of, $grace_days::integer)) as known
    where known.renewal_date >= windows.window_start and known.renewal_date < windows.window_end
),

final as (
    select events.* exclude (known_date, n_lines), accounts.name, accounts.segment, accounts.region,
        accounts.csm_owner, accounts.am_owner, accounts.account_bill_period_months
    from events
    join accounts using (account_id)
)

select * from final order by as_of, renewal_date, account_id
