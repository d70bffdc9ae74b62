-- Append one audit_log row.
insert into audit_log (at, email, role, action, detail) values ($at, $email, $role, $action, $detail)
