"""The input tables of shared/spec/data-model.md: columns, types, keys."""

from __future__ import annotations

from dataclasses import dataclass

from renewal_radar.i18n import N_


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str  # str | date | datetime | float | int | bool
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One input table: its grain, columns and unique key."""

    name: str
    grain: str
    columns: tuple[Column, ...]
    key: str | None = None
    keeps_extra_columns: bool = False

    def column(self, name: str) -> Column | None:
        """The column called ``name``, if the table has one."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]


def _c(name: str, kind: str = "str", required: bool = False) -> Column:
    return Column(name, kind, required)


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("accounts", N_("account"), (
        _c("account_id", required=True), _c("name"), _c("segment"), _c("industry"), _c("region"),
        _c("country"), _c("csm_owner"), _c("am_owner"), _c("parent_account_id"), _c("currency"),
        _c("created_date", "date"),
    ), key="account_id", keeps_extra_columns=True),
    Table("subscriptions", N_("contract line and term"), (
        _c("account_id", required=True), _c("start_date", "date", True), _c("end_date", "date"),
        _c("mrr", "float", True), _c("subscription_id"), _c("product"), _c("quantity", "float"),
        _c("units"), _c("bill_period_months", "int"), _c("discount", "float"), _c("currency"),
        _c("notice_days", "int"), _c("auto_renew", "bool"), _c("booked_date", "date"),
        # a billing system's current-period export (Stripe's): see data/README.md "One row per subscription"
        _c("status"), _c("cancel_at_period_end", "bool"), _c("current_period_end", "date"), _c("trial_end", "date"),
        _c("canceled_at", "date"), _c("cancellation_reason"), _c("cancellation_feedback"),
        _c("cancellation_comment"),
    )),
    Table("renewal_opportunities", N_("CRM opportunity"), (
        _c("opportunity_id", required=True), _c("account_id", required=True),
        _c("close_date", "date", True), _c("amount", "float", True), _c("type"), _c("stage"),
        _c("forecast_category"), _c("probability", "float"), _c("is_closed", "bool"),
        _c("is_won", "bool"), _c("owner"), _c("loss_reason"), _c("loss_comment"), _c("created_date", "date"),
        _c("currency"),
        _c("opportunity_name"),
    ), key="opportunity_id"),
    Table("usage_events", N_("product event"), (
        _c("account_id", required=True), _c("event_time", "datetime", True),
        _c("event_type", required=True), _c("user_id"), _c("value", "float"),
    )),
    Table("usage_daily", N_("account, day and feature"), (
        _c("account_id", required=True), _c("date", "date", True), _c("feature", required=True),
        _c("events", "float", True), _c("active_users", "int"),
    )),
    Table("usage_monthly_users", N_("account and month (written by rollup-usage beside usage_daily)"), (
        _c("account_id", required=True), _c("month", "date", True), _c("active_users", "int", True),
    )),
    Table("tickets", N_("support ticket"), (
        _c("ticket_id", required=True), _c("account_id", required=True),
        _c("created_at", "datetime", True), _c("solved_at", "datetime"), _c("priority"),
        _c("status"), _c("satisfaction"), _c("escalated", "bool"),
    ), key="ticket_id"),
    Table("surveys", N_("survey response"), (
        _c("account_id", required=True), _c("responded_at", "datetime", True),
        _c("score", "float", True), _c("kind"), _c("respondent"), _c("comment"),
    )),
    Table("activities", N_("CSM/AM interaction"), (
        _c("account_id", required=True), _c("occurred_at", "datetime", True),
        _c("kind", required=True), _c("subject"), _c("owner"),
    )),
    Table("fx_rates", N_("currency and month"), (
        _c("currency", required=True), _c("month", "date", True), _c("rate", "float", True),
    )),
    Table("opportunity_history", N_("change of an opportunity"), (
        _c("opportunity_id", required=True), _c("changed_at", "datetime", True), _c("stage"),
        _c("forecast_category"), _c("probability", "float"), _c("amount", "float"), _c("close_date", "date"),
    )),
    Table("team", N_("CSM owner"), (
        _c("owner", required=True), _c("manager"), _c("team"), _c("email"),
    ), key="owner"),
    Table("targets", N_("quarter (and optional segment or team)"), (
        _c("quarter", required=True), _c("segment"), _c("team"), _c("target_grr", "float"),
        _c("target_renewed_arr", "float"),
    )),
)}

REQUIRED_TABLES = ("subscriptions",)

# What each optional table unlocks, for the data page and for pages whose table is missing.
UNLOCKS: dict[str, str] = {
    "accounts": N_("names, segments, regions and owners on every page and filter"),
    "renewal_opportunities": N_("CRM stages, forecast categories and probabilities in the forecast"),
    "usage_events": N_("usage trend, adoption and licence utilisation in health scores"),
    "usage_daily": N_("usage trend and adoption from pre-aggregated usage"),
    "usage_monthly_users": N_("exact monthly active users beside pre-aggregated usage (from rollup-usage)"),
    "tickets": N_("support load and escalations in health scores"),
    "surveys": N_("NPS and CSAT in health scores"),
    "activities": N_("days since the last CSM touch and business reviews"),
    "fx_rates": N_("conversion of other currencies to the reporting currency"),
    "opportunity_history": N_("the CRM's calls as they stood on each past day: the accuracy of each CSM's calls"),
    "team": N_("the forecast by team and manager, and a manager's view of their team's book"),
    "targets": N_("the quarter's forecast against plan, per segment and team where given"),
}
