-- The alert keys already delivered to a recipient on a channel.
select alert_key from digest_deliveries where recipient = $recipient and channel = $channel
