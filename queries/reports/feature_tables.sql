-- feature_tables: one row; how many rows each signal source holds (a missing export holds none).
select
    (select count(*) from usage_monthly) as usage_rows,
    (select count(*) from stg_tickets) as ticket_rows,
    (select count(*) from stg_surveys) as survey_rows,
    (select count(*) from stg_activities) as activity_rows,
    (select count(*) from subscription_lines where quantity is not null) as seat_rows,
    (select count(distinct event_type) from stg_usage_events) + (select count(distinct feature) from stg_usage_daily)
        as feature_count
