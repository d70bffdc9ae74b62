"""Digest: this week's alerts for a book, the rules that fired, and the email as it will be sent."""

import polars as pl
import streamlit as st

from renewal_radar import ui
from renewal_radar.filters import Filters
from renewal_radar.i18n import current_language, t
from renewal_radar.readers import digest as reader

ui.page_header(t("Digest"), t("What changed in a book since a snapshot or a day: renewals entering their notice "
                              "window, decisions overdue, health and risk moves, urgent tickets before a renewal, "
                              "new expansion signals and the forecast's move. The digest email sends the same "
                              "alerts, each once."))
ui.stop_without_data()

as_of, who = ui.current_as_of(), ui.person()
owners = ui.compute(reader.owners)
left, middle, right = st.columns([2, 2, 1])
if who.role == "manager":
    owner = left.selectbox(t("Whose book"), list(who.owners), key="digest_owner")
elif who.book_only:
    owner = who.owner
    left.markdown(t("**Book:** {owner}", owner=owner))
else:
    owner = left.selectbox(t("Whose book"), [None, *owners], key="digest_owner",
                           format_func=lambda o: t("The whole book") if o is None else o)
default_day, default_snapshot = ui.compute(reader.since, as_of)
snaps = ui.compute(reader.snapshot_days).filter(pl.col("as_of") < as_of)
labels = {int(r["id"]): t("Snapshot #{id}: {name} ({day})", id=r["id"], name=ui.snapshot_name(r),
                          day=ui.day(r["as_of"]))
          for r in snaps.iter_rows(named=True)}
choices = [None, *labels]
since_pick = middle.selectbox(t("Since"), choices, key="digest_since",
                              index=choices.index(default_snapshot) if default_snapshot in choices else 0,
                              format_func=lambda s: t("A day…") if s is None else labels[s])
if since_pick is None:
    since_day = right.date_input(t("Day"), value=default_day, max_value=as_of, key="digest_day")
    since, snapshot_id = ui.compute(reader.since_day, since_day, as_of)
else:
    since, snapshot_id = snaps.filter(pl.col("id") == since_pick)["as_of"][0], since_pick

with st.spinner(t("Finding what changed…")):
    found = ui.compute(reader.read, Filters(owners=(owner,)) if owner else Filters(), since, snapshot_id,
                       as_of)

fired = found.fired()
with ui.card_row() as cards:
    for row in fired.iter_rows(named=True):
        cards.metric("digest_alerts", row["alerts"] if row["enabled"] else t("off"),
                     label_values={"kind": reader.kind_title(row["kind"])})
st.caption(t("Changes between {since} and {as_of}; the forecast is compared with snapshot #{id}.",
             since=ui.day(since), as_of=ui.day(as_of), id=snapshot_id) if snapshot_id else
           t("Changes between {since} and {as_of}; no snapshot that old, so the forecast is not compared.",
             since=ui.day(since), as_of=ui.day(as_of)))

if found.alerts.is_empty():
    st.success(t("Nothing needs attention in this book for this period."))
for kind in reader.KINDS:
    rows = found.alerts.filter(pl.col("kind") == kind)
    if rows.is_empty():
        continue
    st.subheader(f"{reader.kind_title(kind)} ({rows.height:,})")
    top = reader.SHOWN_PER_KIND()
    if rows.height > top and not st.toggle(t("Show all {n}", n=rows.height), key=f"digest_all_{kind}"):
        st.caption(t("The {top} with the most ARR at stake; {n} more below them.", top=top, n=rows.height - top))
        rows = rows.head(top)
    shown = rows.with_columns(pl.when(pl.col("account_id") != "").then(ui.account_url()).otherwise(
        pl.lit("forecast")).alias("open")).select("open", "name", "account_id", "arr", "detail")
    ui.dataframe(shown, {"open": ui.account_link_column(), "name": st.column_config.TextColumn(t("Account")),
                         "account_id": st.column_config.TextColumn(t("Account id")), "arr": "arr_at_stake",
                         "detail": st.column_config.TextColumn(t("What happened"), width="large")},
                 height=min(38 + 35 * rows.height, 360))

with st.expander(t("The rules (alerts.toml, version {v})", v=found.rules.version)):
    rules = found.rules
    st.markdown("\n".join([
        t("- Renewals entering their notice window: the decision date (renewal date minus the notice period) "
          "came within {n} days.", n=rules.notice_days_ahead),
        t("- Decision dates passed without a CRM call: no forecast category of Commit, Best Case, Closed or "
          "Omitted, and nothing booked yet."),
        t("- Health dropped: the band is lower than on the since day."),
        t("- Churn risk crossed the threshold: below {p} on the since day, at or above it now.",
          p=ui.percent(rules.risk_threshold, 0)),
        t("- Urgent tickets before a renewal: a new open high-priority ticket or a new escalation on an account "
          "renewing within {n} days.", n=rules.ticket_renewal_days),
        t("- New expansion signals: a signal the account did not have on the since day."),
        t("- Forecast moved: the weighted forecast of the renewals still due this quarter moved by more than {p} "
          "since the snapshot.", p=ui.percent(rules.forecast_threshold, 0)),
    ]))
with st.expander(t("The email, as it will be sent")):
    st.html(reader.to_html(found, language=current_language()))
