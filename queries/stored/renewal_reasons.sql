-- stored_renewal_reasons: one row per churned or contracted renewal event (account, e) of filtered accounts with
-- $start <= e < $end, from the renewal_reasons table the scoring stage stores (reason mapped to the taxonomy),
-- with the account's name, segment, region and owners.
with accounts as (
    select account_id, name, segment, region, csm_owner, am_owner
    from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

reasons as (
    select *
    from renewal_reasons
    where renewal_date >= $start::date and renewal_date < $end::date
),

final as (
    select reasons.*, accounts.name, accounts.segment, accounts.region, accounts.csm_owner, accounts.am_owner
    from reasons
    join accounts using (account_id)
)

select * from final order by renewal_date, account_id
