-- renewal_reason_sources: one row per churned or contracted renewal event (account, e) of the data's as-of day
-- (renewal_events): churned when nothing renewed within grace and the grace period is over; contracted when it
-- renewed below what was due. With what the exports say about why: the loss reason of the renewal opportunity
-- closing nearest e within grace (the same match as the forecast's CRM call) and the cancellation fields of the
-- account's lines ending on e (a billing system's export). Money as MRR in the reporting currency at e's month's
-- rates; renewal_radar.reasons turns it into ARR with the figure registry's formula.
-- The taxonomy (renewal_radar/reasons.toml) is applied in renewal_radar.reasons.
with meta as (
    select as_of, grace_days from import_meta
),

lost as (
    select
        events.account_id,
        events.renewal_date,
        events.bill_period_months,
        events.products,
        case when events.renewed_mrr = 0 then 'churned' else 'contracted' end as outcome,
        events.due_mrr,
        events.renewed_mrr
    from renewal_events as events
    cross join meta
    where (events.renewed_mrr = 0 and events.renewal_date + meta.grace_days::integer <= meta.as_of)
       -- half a cent of MRR: the same price summed in another order is not a contraction
       or (events.renewed_mrr > 0 and events.due_mrr - events.renewed_mrr > 0.005)
),

nearest_opportunity as (
    select lost.account_id, lost.renewal_date, opportunities.opportunity_id,
        nullif(trim(opportunities.loss_reason), '') as loss_reason,
        nullif(trim(opportunities.loss_comment), '') as loss_comment
    from lost
    cross join meta
    join stg_renewal_opportunities as opportunities
        on opportunities.account_id = lost.account_id
        and abs(opportunities.close_date - lost.renewal_date) <= meta.grace_days
    -- a renewal's call unless its type says new business or an upsell, in any language (crm_types.py)
    where not exists (select 1 from unnest($other_types::varchar[]) as words(word)
                  where contains(lower(coalesce(opportunities.opportunity_type, '')), words.word))
    qualify row_number() over (partition by lost.account_id, lost.renewal_date
                               order by abs(opportunities.close_date - lost.renewal_date),
                                   opportunities.opportunity_id) = 1
),

cancellations as (
    select lines.account_id, lines.end_date as renewal_date,
        max(nullif(trim(lines.cancellation_reason), '')) as cancellation_reason,
        max(nullif(trim(lines.cancellation_feedback), '')) as cancellation_feedback,
        max(nullif(trim(lines.cancellation_comment), '')) as cancellation_comment
    from stg_subscriptions as lines
    semi join lost on lost.account_id = lines.account_id and lost.renewal_date = lines.end_date
    where lines.mrr > 0
    group by all
),

final as (
    select lost.*, nearest_opportunity.opportunity_id, nearest_opportunity.loss_reason,
        nearest_opportunity.loss_comment,
        cancellations.cancellation_reason, cancellations.cancellation_feedback, cancellations.cancellation_comment
    from lost
    left join nearest_opportunity using (account_id, renewal_date)
    left join cancellations using (account_id, renewal_date)
)

select * from final order by renewal_date, account_id
