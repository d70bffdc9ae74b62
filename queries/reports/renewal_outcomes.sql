-- renewal_outcomes: one row per renewal event (account, e) of filtered accounts with $start <= e < $end,
-- from lines known at $as_of, with renewal_start e' = earliest start of a positive line in
-- [e, e + $grace_days] and renewed_mrr = mrr of the lines starting on e' (metrics.md "Renewals").
-- A line counts as known at $as_of when booked (or started) by then; at the data's own as-of day
-- everything exported is known.
with accounts as (
    select account_id, name, segment, region, csm_owner, am_owner
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

known_lines as (
    select *
    from subscription_lines
    where mrr > 0
      and (end_date is null or end_date > start_date)  -- a line ending the day it starts was never active
      and (known_date <= $as_of::date or $as_of::date >= (select as_of from import_meta))
),

events as (
    select
        account_id,
        end_date as renewal_date,
        sum(mrr) as due_mrr,
        max(bill_period_months) as bill_period_months,
        max(notice_days) as notice_days,
        end_date - max(notice_days)::integer as decision_date,
        string_agg(distinct product, ', ' order by product) as products
    from known_lines
    where end_date is not null and end_date >= $start::date and end_date < $end::date
    group by account_id, end_date
),

renewal_starts as (
    select events.account_id, events.renewal_date, min(lines.start_date) as renewal_start
    from events
    join known_lines as lines
        on lines.account_id = events.account_id
        and lines.start_date between events.renewal_date and events.renewal_date + $grace_days::integer
    group by all
),

renewed as (
    select renewal_starts.account_id, renewal_starts.renewal_date, renewal_starts.renewal_start,
        sum(lines.mrr) as renewed_mrr
    from renewal_starts
    join known_lines as lines
        on lines.account_id = renewal_starts.account_id and lines.start_date = renewal_starts.renewal_start
    group by all
),

final as (
    select
        events.*,
        renewed.renewal_start,
        coalesce(renewed.renewed_mrr, 0) as renewed_mrr,
        accounts.name,
        accounts.segment,
        accounts.region,
        accounts.csm_owner,
        accounts.am_owner
    from events
    join accounts using (account_id)
    left join renewed using (account_id, renewal_date)
)

select * from final order by renewal_date, account_id
