-- Whether an audit_log row with this action, email and detail exists (a sign-in is logged once per token).
select 1 from audit_log where action = $action and email = $email and detail = $detail limit 1
