-- usage_scan_floor: one row; reads every value of the columns the usage roll-ups read and does the least work
-- possible with them (a hash), the floor a roll-up is compared against. Plain min/max would come from statistics.
select sum(hash(account_id, event_time, event_type, user_id)) as checksum from stg_usage_events
