-- renewal_outcomes: one row per renewal event (account, e) of filtered accounts with $start <= e < $end, as
-- known at $as_of (known_renewal_events: lines known then, renewal lines within $grace_days), with the
-- account's attributes. Outcomes are classified in renewals.classify_outcomes.
with accounts as (
    select account_id, name, segment, region, csm_owner, am_owner, bill_period_months as account_bill_period_months
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

events as (
    select *
    from known_renewal_events($as_of::date, $grace_days::integer)
    where renewal_date >= $start::date and renewal_date < $end::date
),

final as (
    select events.* exclude (known_date, n_lines), accounts.name, accounts.segment, accounts.region,
        accounts.csm_owner, accounts.am_owner, accounts.account_bill_period_months
    from events
    join accounts using (account_id)
)

select * from final order by renewal_date, account_id
