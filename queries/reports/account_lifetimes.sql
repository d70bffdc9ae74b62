-- account_lifetimes: one row per filtered account that started by $as_of, with its attributes and first_end:
-- the first day its logo churned as of $as_of (known_logo_churns: its last positive line ended, no line covers
-- the day or starts within grace, and the grace period is over), so a late renewal inside grace and an add-on
-- dropped while the main line renews do not end a lifetime (metrics.md "Cohorts", survival is logo survival).
-- first_end is null for accounts censored at $as_of (active, or grace still running).
with churned as (
    select account_id, first_end
    from known_logo_churns($as_of::date, $grace_days::integer)
),

final as (
    select accounts.*, churned.first_end
    from filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts
    left join churned using (account_id)
    where accounts.first_start is not null and accounts.first_start <= $as_of::date
)

select * from final order by account_id
