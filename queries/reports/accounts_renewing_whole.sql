-- accounts_renewing_whole: on each day of $days, the accounts whose every positive line known on the day and
-- running on it (or booked to start after it) ends before the day + $window_days: unless they renew, they are
-- gone by then, so their churn risk is their renewal's (metrics.md "One story per account").
with days as (
    select unnest($days::date[]) as as_of
),

lines as (
    select days.as_of, lines.account_id, lines.start_date, coalesce(lines.end_date, date '9999-12-31') as end_date
    from days
    join subscription_lines as lines
        on lines.known_date <= days.as_of
        and coalesce(lines.end_date, date '9999-12-31') > days.as_of
    where lines.mrr_local > 0
),

final as (
    select as_of, account_id
    from lines
    group by as_of, account_id
    having min(start_date) <= as_of and max(end_date) < as_of + to_days($window_days::integer)
)

select * from final order by as_of, account_id
