-- account_features(days): table macro, one row per account active at the start of each day in `days`, with the
-- point-in-time signals behind health and churn risk, each from data dated before that day only:
-- usage in the last complete calendar month and the two before it, active users of that month against seats,
-- features used, open high-priority tickets, escalations and tickets in 90 days, the latest NPS and CSAT,
-- days since the last CSM touch and business review, days to the next known renewal.
create or replace macro account_features(days) as table
with snapshot_days as (
    -- the rate month as a column: joined on fx_month(...) itself (a subquery inside), the join is a nested loop
    select as_of, fx_month(as_of) as rate_month
    from (select distinct unnest(days)::date as as_of)
),

-- MRR at the day's month rates
active as materialized (
    select snapshot_days.as_of, intervals.account_id, sum(intervals.mrr_local * fx.rate) as mrr
    from snapshot_days
    join account_mrr_intervals as intervals
        on intervals.valid_from <= snapshot_days.as_of
        and snapshot_days.as_of < coalesce(intervals.valid_to, date '9999-12-31')
    join fx_monthly as fx on fx.currency = intervals.currency and fx.month = snapshot_days.rate_month
    group by all
),

-- usage by complete calendar months before the day: month -1 against months -2 and -3
usage as (
    select
        active.as_of,
        active.account_id,
        sum(usage.events) filter (where usage.month_start = date_trunc('month', active.as_of) - interval 1 month)
            as events_last_month,
        sum(usage.events) filter (where usage.month_start < date_trunc('month', active.as_of) - interval 1 month)
            as events_prior_two_months,
        max(usage.active_users) filter (where usage.month_start = date_trunc('month', active.as_of) - interval 1 month)
            as active_users_last_month,
        max(usage.features_used) filter (where usage.month_start = date_trunc('month', active.as_of) - interval 1 month)
            as features_last_month
    from active
    join usage_monthly as usage
        on usage.account_id = active.account_id
        and usage.month_start >= date_trunc('month', active.as_of) - interval 3 month
        and usage.month_start < date_trunc('month', active.as_of)
    group by active.as_of, active.account_id
),

seats as (
    select active.as_of, active.account_id, max(lines.quantity) as seats
    from active
    join subscription_lines as lines
        on lines.account_id = active.account_id
        and lines.start_date <= active.as_of
        and active.as_of < coalesce(lines.end_date, date '9999-12-31')
        and lines.mrr > 0
    group by active.as_of, active.account_id
),

tickets as (
    select
        active.as_of,
        active.account_id,
        count(*) filter (where tickets.created_at >= active.as_of - interval 90 day) as tickets_90d,
        count(*) filter (where tickets.created_at >= active.as_of - interval 90 day and tickets.is_escalated)
            as escalations_90d,
        count(*) filter (where tickets.priority in ('high', 'urgent')
                         and (tickets.solved_at is null or tickets.solved_at >= active.as_of))
            as open_high_priority
    from active
    join stg_tickets as tickets
        on tickets.account_id = active.account_id and tickets.created_at < active.as_of
    group by active.as_of, active.account_id
),

surveys as (
    select
        active.as_of,
        active.account_id,
        arg_max(surveys.score, surveys.responded_at) filter (where surveys.kind = 'NPS') as latest_nps,
        arg_max(surveys.score, surveys.responded_at) filter (where surveys.kind = 'CSAT') as latest_csat
    from active
    join stg_surveys as surveys
        on surveys.account_id = active.account_id and surveys.responded_at < active.as_of
    group by active.as_of, active.account_id
),

touches as (
    select
        active.as_of,
        active.account_id,
        date_diff('day', max(activities.occurred_at)::date, active.as_of) as days_since_touch,
        date_diff('day', max(activities.occurred_at) filter (where activities.kind = 'business_review')::date,
                  active.as_of) as days_since_business_review
    from active
    join stg_activities as activities
        on activities.account_id = active.account_id and activities.occurred_at < active.as_of
    group by active.as_of, active.account_id
),

renewals as (
    select active.as_of, active.account_id, date_diff('day', active.as_of, min(events.renewal_date)) as days_to_renewal
    from active
    join renewal_events as events
        on events.account_id = active.account_id
        and events.renewal_date >= active.as_of
        and events.known_date <= active.as_of
    group by active.as_of, active.account_id
),

final as (
    select
        active.as_of,
        active.account_id,
        active.mrr,
        usage.events_last_month,
        usage.events_prior_two_months,
        usage.active_users_last_month,
        usage.features_last_month,
        seats.seats,
        coalesce(tickets.tickets_90d, 0) as tickets_90d,
        coalesce(tickets.escalations_90d, 0) as escalations_90d,
        coalesce(tickets.open_high_priority, 0) as open_high_priority,
        surveys.latest_nps,
        surveys.latest_csat,
        touches.days_since_touch,
        touches.days_since_business_review,
        renewals.days_to_renewal
    from active
    left join usage using (as_of, account_id)
    left join seats using (as_of, account_id)
    left join tickets using (as_of, account_id)
    left join surveys using (as_of, account_id)
    left join touches using (as_of, account_id)
    left join renewals using (as_of, account_id)
)

select * from final
