"""Delivering digests: email over SMTP and Slack-compatible incoming webhooks, each alert at most once.

A recipient gets only the alerts not yet delivered to them on that channel (the ``digest_deliveries`` log in the
audit file beside the database); a send that fails logs nothing, so the next run tries again. Mail settings come
from ``RENEWAL_RADAR_SMTP_*`` (see :mod:`renewal_radar.settings`), so passwords stay in the environment.
"""

from __future__ import annotations

import dataclasses
import json
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from renewal_radar import audit, digest, digest_output, i18n, settings
from renewal_radar.access import Recipient


class DeliveryError(RuntimeError):
    """A digest that could not be sent, with the reason."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient's digest on one channel."""

    recipient: str
    channel: str
    new_alerts: int
    sent: bool
    note: str = ""


def fresh(found: digest.Digest, recipient: str, channel: str, db_path: str | Path | None = None) -> digest.Digest:
    """The digest without the alerts already delivered to ``recipient`` on ``channel``."""
    seen = audit.delivered_keys(recipient, channel, db_path)
    return dataclasses.replace(found, alerts=found.alerts.filter(~found.alerts["key"].is_in(list(seen))))


def send_email(to: str, subject: str, html: str, text: str) -> None:
    """Send one email with HTML and plain-text parts through the configured SMTP server."""
    host = settings.get("smtp_host")
    if not host:
        raise DeliveryError("no mail server: set RENEWAL_RADAR_SMTP_HOST (and _PORT, _SECURITY, _USER, _PASSWORD)")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, settings.get("smtp_from"), to
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    security, port = str(settings.get("smtp_security")).lower(), int(settings.get("smtp_port"))
    context = ssl.create_default_context()
    server = smtplib.SMTP_SSL(host, port, context=context, timeout=30) if security == "tls" \
        else smtplib.SMTP(host, port, timeout=30)
    with server:
        if security == "starttls":
            server.starttls(context=context)
        if settings.get("smtp_user"):
            server.login(settings.get("smtp_user"), settings.get("smtp_password"))
        server.send_message(message)


def post_webhook(url: str, text: str) -> None:
    """Post Markdown text to a Slack-compatible incoming webhook (``{"text": …}``)."""
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise DeliveryError(f"the webhook answered {response.status}")


def channels(recipient: Recipient) -> list[tuple[str, str]]:
    """(channel, address) pairs a recipient's digest goes to: email, their webhook, the team's webhook."""
    found = [("email", recipient.email)]
    if recipient.webhook:
        found.append(("webhook", recipient.webhook))
    if settings.get("slack_webhook"):
        found.append(("team-webhook", settings.get("slack_webhook")))
    return found


def deliver(found: digest.Digest, recipient: Recipient, dry_run: bool, db_path: str | Path | None = None,
            base_url: str | None = None, show=print) -> list[Outcome]:
    """Send (or with ``dry_run`` show) the recipient's new alerts on each channel; log what was sent."""
    outcomes = []
    for channel, address in channels(recipient):
        new = fresh(found, recipient.email, channel, db_path)  # webhook URLs are secrets: never logged
        if new.alerts.is_empty():
            outcomes.append(Outcome(recipient.email, channel, 0, False, "no new alerts"))
            continue
        with i18n.language(recipient.language):
            subject, markdown = digest_output.heading(new), digest_output.to_markdown(new, base_url)
            html = digest_output.to_html(new, base_url, recipient.language)
        if dry_run:
            show(f"--- would send to {recipient.email} by {channel} ({new.alerts.height} new alerts) ---")
            show(markdown)
            outcomes.append(Outcome(recipient.email, channel, new.alerts.height, False, "dry run"))
            continue
        if channel == "email":
            send_email(recipient.email, subject, html, markdown)
        else:
            post_webhook(address, markdown)
        audit.record_deliveries(recipient.email, channel, new.alerts["key"].to_list(), db_path)
        audit.record_cli("digest_send", db_path, to=recipient.email, channel=channel, alerts=new.alerts.height,
                         owner=new.owner, since=new.since)
        outcomes.append(Outcome(recipient.email, channel, new.alerts.height, True))
    return outcomes
