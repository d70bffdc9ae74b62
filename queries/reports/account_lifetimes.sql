-- account_lifetimes: one row per filtered account that started by $as_of, with its attributes and first_end:
-- the first renewal day e whose outcome was churned as of $as_of (no positive line starts in [e, e + grace],
-- and the grace period is over), so a late renewal inside grace does not end a lifetime (metrics.md
-- "Cohorts", survival). first_end is null for accounts censored at $as_of (active, or renewal still open).
with churned_renewals as (
    select account_id, min(renewal_date) as first_end
    from known_renewal_events($as_of::date, $grace_days::integer)
    where renewed_mrr = 0 and renewal_date + $grace_days::integer <= $as_of::date
    group by account_id
),

final as (
    select accounts.*, churned_renewals.first_end
    from filtered_accounts($segments, $regions, $owners, $bill_periods) as accounts
    left join churned_renewals using (account_id)
    where accounts.first_start is not null and accounts.first_start <= $as_of::date
)

select * from final order by account_id
