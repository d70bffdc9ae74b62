-- forecast_snapshot_rows: one row per renewal of snapshot $snapshot_id as it was when saved.
select * from forecast_snapshot_rows where snapshot_id = $snapshot_id::bigint order by renewal_date, account_id
