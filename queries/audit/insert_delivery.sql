-- Append one digest_deliveries row: an alert delivered to a recipient on a channel.
insert into digest_deliveries (at, recipient, channel, alert_key) values ($at, $recipient, $channel, $alert_key)
