-- feature_tables_live: one row, the signal_sources figures counted now (for a database built before
-- signal_sources was stored at import).
select
    (select count(*) from usage_monthly) as usage_rows,
    (select count(*) from stg_tickets) as ticket_rows,
    (select count(*) from stg_surveys) as survey_rows,
    (select count(*) from stg_activities) as activity_rows,
    (select count(*) from subscription_lines where quantity is not null) as seat_rows,
    (select count(distinct feature) from usage_monthly_by_feature) as feature_count
