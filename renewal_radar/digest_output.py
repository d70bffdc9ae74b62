"""The digest as people read it: the command line's JSON, Markdown for chat, and the email's HTML; each kind's
alerts ranked by ARR at stake, the first ``digest_alerts_per_kind`` of a kind shown with a count of the rest (the
JSON keeps them all)."""

from __future__ import annotations

from urllib.parse import quote

import jinja2
import polars as pl

from renewal_radar import settings
from renewal_radar.digest import KINDS, Digest, kind_title
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import t, tn


def account_link(account_id: str, base_url: str | None = None) -> str:
    """The Account page of an account (the forecast page for a book-wide alert)."""
    base = (base_url or settings.get("base_url")).rstrip("/")
    return f"{base}/account?account_id={quote(account_id)}" if account_id else f"{base}/forecast"


def to_json(digest: Digest, base_url: str | None = None) -> dict:
    """The CLI's JSON: ``{owner, since, alerts}``, alerts as ``{kind, account_id, name, detail, link}``."""
    return {"owner": digest.owner, "since": digest.since.isoformat(),
            "alerts": [{"kind": a["kind"], "account_id": a["account_id"], "name": a["name"], "detail": a["detail"],
                        "link": account_link(a["account_id"], base_url)}
                       for a in digest.alerts.iter_rows(named=True)]}


def shown_per_kind() -> int:
    """How many alerts of a kind a digest lists (the largest ARR at stake first)."""
    return int(settings.get("digest_alerts_per_kind"))


def _grouped(digest: Digest, base_url: str | None) -> list[dict]:
    groups, shown = [], shown_per_kind()
    for kind in KINDS:
        rows = digest.alerts.filter(pl.col("kind") == kind)
        if rows.height:
            more = rows.height - shown
            groups.append({"title": kind_title(kind), "count": rows.height,
                           "more": t("… and {n} more on the Digest page.", n=more) if more > 0 else "",
                           "alerts": [{**a, "link": account_link(a["account_id"], base_url)}
                                      for a in rows.head(shown).iter_rows(named=True)]})
    return groups


def heading(digest: Digest) -> str:
    """The digest's title line (also the email's subject)."""
    return tn("Renewal Radar digest for {who} since {since}: {count} alert",
              "Renewal Radar digest for {who} since {since}: {count} alerts", digest.alerts.height,
              who=digest.owner or t("the whole book"), since=format_date(digest.since))


def _escape_markdown(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in str(text))


def to_markdown(digest: Digest, base_url: str | None = None) -> str:
    """The digest as Markdown (Slack-compatible links), grouped by kind."""
    lines = [f"*{_escape_markdown(heading(digest))}*"]
    for group in _grouped(digest, base_url):
        lines.append(f"\n*{group['title']}* ({group['count']})")
        lines += [f"• <{a['link']}|{_escape_markdown(a['name'])}>: {_escape_markdown(a['detail'])}"
                  for a in group["alerts"]]
        if group["more"]:
            lines.append(group["more"])
    if digest.alerts.is_empty():
        lines.append(t("Nothing needs your attention this time."))
    return "\n".join(lines) + "\n"


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', 'Noto Sans CJK KR', 'Noto Sans CJK JP', sans-serif;
 color: #1f2933; max-width: 680px; margin: 0 auto; padding: 16px;">
<h1 style="font-size: 20px;">{{ title }}</h1>
<p style="color: #52606d;">{{ subtitle }}</p>
{% for group in groups %}
<h2 style="font-size: 16px; margin-top: 24px;">{{ group.title }} ({{ group.count }})</h2>
<ul style="padding-left: 18px;">
{% for alert in group.alerts %}
<li style="margin-bottom: 8px;"><a href="{{ alert.link }}">{{ alert.name }}</a>{% if alert.account_id %}
 <span style="color: #7b8794;">{{ alert.account_id }}</span>{% endif %}<br>{{ alert.detail }}</li>
{% endfor %}
</ul>
{% if group.more %}<p style="color: #52606d;">{{ group.more }}</p>{% endif %}
{% else %}
<p>{{ empty }}</p>
{% endfor %}
<p style="color: #7b8794; font-size: 12px;">{{ footer }}</p>
</body></html>
""")


def to_html(digest: Digest, base_url: str | None = None, language: str = "en") -> str:
    """The digest as an email-ready HTML page; Jinja2 escapes every value (names and details are data)."""
    return _HTML.render(
        lang=language.replace("_", "-"), title=heading(digest), groups=_grouped(digest, base_url),
        subtitle=t("Changes between {since} and {as_of}. Money in {currency}.", since=format_date(digest.since),
                   as_of=format_date(digest.as_of), currency=digest.currency),
        empty=t("Nothing needs your attention this time."),
        footer=t("Sent by Renewal Radar. Rules: alerts.toml version {version}.", version=digest.rules.version))
