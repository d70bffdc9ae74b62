-- known_renewal_events(known_on, grace): table macro, one row per renewal event (account, e) built only from
-- lines known on known_on (booked, else started, by then; at the data's own as-of day everything exported is
-- known): e is the end_date of at least one positive line; due_mrr sums the lines ending on e;
-- renewal_start e' is the earliest start of a positive line in [e, e + grace]; renewed_mrr sums the
-- lines starting on e'. Money in the reporting currency at the rates of e's month, so a renewal compares
-- like with like (metrics.md "Renewals"). The one definition of renewal events: every report reads it.
-- grain: account_id, renewal_date
create or replace macro known_renewal_events(known_on, grace) as table
with known_lines as materialized (
    select lines.* exclude (cancels_at_period_end), lines.mrr_local as amount_local,
        -- a cancellation counts from the day it was made (the export's as-of day when it does not say)
        lines.cancels_at_period_end
            and coalesce(lines.canceled_at, (select meta.as_of from import_meta as meta)) <= known_on::date
            as cancels_at_period_end,
        -- the rate month as a column: a join on fx_month(...) itself (a subquery inside) is planned as a nested
        -- loop over every month of the currency, 30 million pairs at 50,000 accounts
        fx_month(lines.end_date) as end_rate_month
    from subscription_lines as lines
    where lines.mrr_local > 0
      and (lines.end_date is null or lines.end_date > lines.start_date)  -- a same-day line was never active
      and (lines.known_date <= known_on::date or known_on::date >= (select meta.as_of from import_meta as meta))
),

ending as (
    select
        lines.account_id,
        lines.end_date as renewal_date,
        sum(lines.amount_local * fx.rate) as due_mrr,
        max(lines.bill_period_months) as bill_period_months,
        max(lines.notice_days) as notice_days,
        lines.end_date - max(lines.notice_days)::integer as decision_date,
        min(lines.known_date) as known_date,
        string_agg(distinct lines.product, ', ' order by lines.product) as products,
        count(*) as n_lines,
        -- every line ending on e set to cancel: the customer has said it will not renew
        bool_and(lines.cancels_at_period_end) as cancels_at_period_end,
        bool_or(lines.payment_at_risk) as payment_at_risk
    from known_lines as lines
    join fx_monthly as fx on fx.currency = lines.currency and fx.month = lines.end_rate_month
    where lines.end_date is not null
    group by lines.account_id, lines.end_date
),

renewal_starts as (
    select ending.account_id, ending.renewal_date, fx_month(ending.renewal_date) as rate_month,
        min(lines.start_date) as renewal_start
    from ending
    join known_lines as lines
        on lines.account_id = ending.account_id
        and lines.start_date between ending.renewal_date and ending.renewal_date + grace::integer
    group by all
),

renewed as (
    select renewal_starts.account_id, renewal_starts.renewal_date, renewal_starts.renewal_start,
        sum(lines.amount_local * fx.rate) as renewed_mrr
    from renewal_starts
    join known_lines as lines
        on lines.account_id = renewal_starts.account_id and lines.start_date = renewal_starts.renewal_start
    join fx_monthly as fx on fx.currency = lines.currency and fx.month = renewal_starts.rate_month
    group by renewal_starts.account_id, renewal_starts.renewal_date, renewal_starts.renewal_start
)

select ending.*, renewed.renewal_start, coalesce(renewed.renewed_mrr, 0) as renewed_mrr
from ending
left join renewed using (account_id, renewal_date);

-- renewal_events: one row per renewal event of everything exported (as of the data's as-of day); known_date is
-- the first day any of its lines was known, so point-in-time signals can ask what was known on a day.
create or replace table renewal_events as
select * exclude (due_mrr), due_mrr, 12 * due_mrr as due_arr
from known_renewal_events((select as_of from import_meta), (select grace_days from import_meta))
order by renewal_date, account_id;

-- known_logo_churns(known_on, grace): table macro, one row per account whose logo churned as of known_on, with
-- first_end: the first renewal day e on which its last positive line ends, no positive line known on known_on
-- covers e and none starts in [e, e + grace] (renewed_mrr = 0), the grace period being over (metrics.md
-- "Cohorts", survival is logo survival). An add-on or a second product not renewed while another line goes on is
-- a contraction, not the end of the lifetime; a return after a longer gap does not move the first end.
create or replace macro known_logo_churns(known_on, grace) as table
with known_lines as (
    select lines.account_id, lines.start_date, lines.end_date
    from subscription_lines as lines
    where lines.mrr_local > 0
      and (lines.end_date is null or lines.end_date > lines.start_date)
      and (lines.known_date <= known_on::date or known_on::date >= (select meta.as_of from import_meta as meta))
),

unrenewed as (
    select events.account_id, events.renewal_date
    from known_renewal_events(known_on, grace) as events
    where events.renewed_mrr = 0 and events.renewal_date + grace::integer <= known_on::date
)

select unrenewed.account_id, min(unrenewed.renewal_date) as first_end
from unrenewed
where not exists (
    select 1 from known_lines
    where known_lines.account_id = unrenewed.account_id
      and known_lines.start_date < unrenewed.renewal_date
      and (known_lines.end_date is null or known_lines.end_date > unrenewed.renewal_date)
)
group by unrenewed.account_id;
