-- renewal_products: both sides of the renewals of filtered accounts due in [$start, $end), product by product,
-- as known at $as_of (the rule of known_renewal_events: lines booked, else started, by then; everything exported
-- at the data's own as-of day). side 'due': lines ending on a day of the window; side 'renewal': lines starting in
-- [$start, $end + $grace_days] (a renewal's lines start within grace of its day). Local MRR and currency, so the
-- caller converts both sides of a renewal at its due month's rates; quantity 1 for a line that exports none
-- (metrics.md "Renewal economics"). $account_id (or null for every account) narrows it to one account.
-- grain: side, account_id, day, product, currency
with accounts as (
    select account_id from filtered_accounts($segments, $regions, $owners, $bill_periods)
),

settings as (
    select as_of as data_as_of from import_meta
),

known as (
    select
        lines.account_id,
        coalesce(lines.product, '') as product,
        lines.currency,
        lines.start_date,
        lines.end_date,
        lines.mrr_local,
        case when lines.quantity > 0 then lines.quantity::double else 1.0 end as quantity
    from subscription_lines as lines
    semi join accounts using (account_id)
    cross join settings
    where lines.mrr_local > 0
      and (lines.end_date is null or lines.end_date > lines.start_date)
      and (lines.known_date <= $as_of::date or $as_of::date >= settings.data_as_of)
      and ($account_id::varchar is null or lines.account_id = $account_id::varchar)
),

due as (
    select 'due' as side, account_id, end_date as day, product, currency,
        sum(mrr_local) as mrr_local, sum(quantity) as quantity
    from known
    where end_date >= $start::date and end_date < $end::date
    group by all
),

renewal as (
    select 'renewal' as side, account_id, start_date as day, product, currency,
        sum(mrr_local) as mrr_local, sum(quantity) as quantity
    from known
    where start_date >= $start::date and start_date <= $end::date + $grace_days::integer
    group by all
)

select * from due
union all
select * from renewal
order by side, account_id, day, product, currency
