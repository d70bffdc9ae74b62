-- committed_lines: the lines of filtered accounts that move committed ARR on $as_of away from ARR (metrics.md
-- "Renewal economics"): kind 'signed', positive lines known by the day (booked, else started) that start after it;
-- kind 'active', positive lines active on the day that end after it, with cancels_at_period_end when the
-- customer's cancellation was made by the day (the export's as-of day when it does not say when). MRR at the
-- rates of the day's month, as ARR on the day.
-- grain: line_id
with accounts as (
    select account_id, name from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

settings as (
    select as_of as data_as_of from import_meta
),

lines as (
    select
        lines.line_id,
        lines.account_id,
        accounts.name,
        lines.product,
        lines.start_date,
        lines.end_date,
        lines.known_date,
        lines.mrr_local * fx.rate as mrr,
        case
            when lines.start_date > $as_of::date then 'signed'
            else 'active'
        end as kind,
        coalesce(lines.cancels_at_period_end, false)
            and coalesce(lines.canceled_at, settings.data_as_of) <= $as_of::date as cancels_at_period_end
    from subscription_lines as lines
    join accounts using (account_id)
    cross join settings
    join fx_monthly as fx on fx.currency = lines.currency and fx.month = fx_month($as_of::date)
    where lines.mrr_local > 0
      and (lines.end_date is null or lines.end_date > lines.start_date)
)

select * exclude (known_date) from lines
where (kind = 'signed' and known_date <= $as_of::date)
   or (kind = 'active' and start_date <= $as_of::date and end_date > $as_of::date)
order by kind, account_id, start_date, line_id
