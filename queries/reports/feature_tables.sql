-- feature_tables: one row; how many rows each signal source holds (a missing export holds none) and how many
-- product features appear in the usage (read from the small monthly roll-up, not the raw events).
select
    (select count(*) from usage_monthly) as usage_rows,
    (select count(*) from stg_tickets) as ticket_rows,
    (select count(*) from stg_surveys) as survey_rows,
    (select count(*) from stg_activities) as activity_rows,
    (select count(*) from subscription_lines where quantity is not null) as seat_rows,
    (select count(distinct feature) from usage_monthly_by_feature) as feature_count
