-- The audit log and the page-run timings, in their own SQLite file beside the database (renewal_radar/audit.py).
-- audit_log: one row per sign-in, sign-out, refusal, import, rollback, scoring, snapshot save, console query,
-- pack download or digest send; detail is JSON. page_runs: one row per script run of a page. digest_deliveries:
-- one row per alert delivered to a recipient on a channel (email or webhook), so none is sent twice.
create table if not exists audit_log (
    at text not null,
    email text not null,
    role text not null,
    action text not null,
    detail text not null default '{}'
);
create index if not exists audit_log_at on audit_log (at);
create table if not exists page_runs (
    at text not null,
    page text not null,
    role text not null,
    seconds real not null,
    cpu_seconds real not null
);
create index if not exists page_runs_at on page_runs (at);
create table if not exists digest_deliveries (
    at text not null,
    recipient text not null,
    channel text not null,
    alert_key text not null
);
create index if not exists digest_deliveries_key on digest_deliveries (recipient, channel, alert_key);
