-- renewal_outcomes_known: the rows of renewal_outcomes for a day on or after the data's as-of day, when every
-- exported line is known: read from the renewal_events table the import built with the same macro
-- (known_renewal_events), instead of rebuilding the events. One row per renewal event (account, e) of filtered
-- accounts with $start <= e < $end, with the account's attributes; the columns of renewal_outcomes.
with accounts as (
    select account_id, name, segment, region, csm_owner, am_owner, bill_period_months as account_bill_period_months
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

events as (
    select account_id, renewal_date, due_mrr, bill_period_months, notice_days, decision_date, products,
        cancels_at_period_end, payment_at_risk, renewal_start, renewed_mrr
    from renewal_events
    where renewal_date >= $start::date and renewal_date < $end::date
),

final as (
    select events.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.am_owner,
        accounts.account_bill_period_months
    from events
    join accounts using (account_id)
)

select * from final order by renewal_date, account_id
