"""Vendor presets: map a vendor's file names, headers and values to ours.

Headers match case-insensitively after trimming. A preset lists, per table,
the vendor headers (API names and report labels) that mean each of our
columns, plus value maps (Salesforce's ``BestCase`` is our ``Best Case``)
and, where a vendor's export needs arithmetic (Stripe's price per interval),
a derive step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from renewal_radar.i18n import N_
from renewal_radar.ingest.readers import ROW_COLUMN
from renewal_radar.ingest.schema import TABLES


@dataclass(frozen=True)
class Preset:
    """How one vendor's exports map onto the data model."""

    name: str
    label: str
    files: dict[str, str] = field(default_factory=dict)  # file stem (lower) -> table
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> header -> column
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    derive: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None


def normalise_header(header: str) -> str:
    """Case-insensitive, trimmed form used to match headers."""
    return " ".join(str(header).strip().lower().split())


def _aliases(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(alias): column for column, aliases in mapping.items() for alias in aliases}


# Salesforce: Data Loader / Data Export use API names, report exports use labels.
SALESFORCE_CATEGORIES = {"BestCase": "Best Case", "Forecast": "Commit", "Commit": "Commit",
                         "Pipeline": "Pipeline", "Closed": "Closed", "Omitted": "Omitted",
                         "Best Case": "Best Case",
                         # a Japanese org's values, as Salesforce's Japanese help names the standard categories
                         "パイプライン": "Pipeline", "最善達成予測": "Best Case", "達成予測": "Commit",
                         "完了": "Closed", "クローズ済み": "Closed", "売上予測から除外": "Omitted"}

# The won and lost stages in a Japanese org (成立 / 不成立, Salesforce's Japanese UI) and the names Korean
# orgs give them (수주 성공, 계약완료; 상실).
SALESFORCE_STAGES = {"成立": "Closed Won", "不成立": "Closed Lost", "수주 성공": "Closed Won",
                     "계약완료": "Closed Won", "계약 완료": "Closed Won", "상실": "Closed Lost"}

SALESFORCE = Preset(
    "salesforce", "Salesforce",
    files={"account": "accounts", "accounts": "accounts", "opportunity": "renewal_opportunities",
           "opportunities": "renewal_opportunities", "case": "tickets", "cases": "tickets",
           "task": "activities", "tasks": "activities", "event": "activities", "user": "team", "users": "team",
           "opportunityhistory": "opportunity_history", "opportunity_history": "opportunity_history",
           "opportunity history": "opportunity_history"},
    columns={
        # Localised report labels. Japanese: 取引先 ID / 商談 ID as Adobe Marketo Measure's Japanese docs of
        # Salesforce Data Loader steps print them. Korean and Traditional Chinese: the label fixtures of
        # Salesforce's grammaticus library (기회 Opportunity, 계정 Account, 계정 이름, 금액, 마감 일자 / 완료 일자,
        # 작성 일자, 유형, 성공 확률 (%), 업종, 청구지 국가; 機會, 帳戶, 帳戶名稱, 總額, 結束日期, 建立日期, 類型,
        # 可能性 (%), 行業, 帳單國家/地區), and a Korean org's field dump for 단계 and 예측 범주. The "<object> ID"
        # labels of ko and zh_TW follow the pattern Salesforce uses in every language (Account ID, 取引先 ID).
        "accounts": _aliases({
            "account_id": ("Id", "Account ID", "Account Id", "取引先 ID", "계정 ID", "帳戶 ID"),
            "name": ("Name", "Account Name", "取引先名", "계정 이름", "帳戶名稱"),
            "industry": ("Industry", "業種", "업종", "行業"), "region": ("Sales_Region__c", "Region"),
            "country": ("BillingCountry", "Billing Country", "청구지 국가", "帳單國家/地區"),
            "segment": ("Segment__c", "Type", "Account Type", "유형", "類型"),
            "csm_owner": ("CSM__c", "Customer Success Manager"), "am_owner": ("Owner.Name", "OwnerId", "Account Owner"),
            "parent_account_id": ("ParentId", "Parent Account ID"), "currency": ("CurrencyIsoCode", "Account Currency"),
            "created_date": ("CreatedDate", "Created Date", "작성 일자", "建立日期"),
        }),
        "renewal_opportunities": _aliases({
            "opportunity_id": ("Id", "Opportunity ID", "商談 ID", "기회 ID", "機會 ID"),
            "account_id": ("AccountId", "Account ID", "取引先 ID", "계정 ID", "帳戶 ID"),
            "opportunity_name": ("Name", "Opportunity Name", "商談名", "기회 이름", "機會名稱"),
            # Japanese report labels: 完了予定日, 金額, フェーズ, 売上予測分類, 種別, 確度 (%), 商談 所有者
            # (Salesforce's Japanese UI); Korean and Traditional Chinese from grammaticus (above)
            "close_date": ("CloseDate", "Close Date", "完了予定日", "마감일", "마감 일자", "완료 일자", "結束日期"),
            "amount": ("Amount", "ARR__c", "金額", "금액", "總額"),
            "type": ("Type", "Opportunity Type", "種別", "유형", "類型"),
            "stage": ("StageName", "Stage", "フェーズ", "단계", "階段"),
            "forecast_category": ("ForecastCategoryName", "ForecastCategory", "Forecast Category", "売上予測分類",
                                  "예측 범주"),
            "currency": ("CurrencyIsoCode", "Opportunity Currency"),
            "probability": ("Probability", "Probability (%)", "確度 (%)", "성공 확률 (%)", "可能性 (%)"),
            "is_closed": ("IsClosed", "Closed"),
            "is_won": ("IsWon", "Won"), "owner": ("Owner.Name", "OwnerId", "Opportunity Owner", "商談 所有者"),
            # a custom field on most orgs: its API name and the report labels orgs give it; 失注理由 (ja) and
            # 실주 사유 (ko) are the names Japanese and Korean CRMs and org schemas use for it
            "loss_reason": ("Loss_Reason__c", "Loss Reason", "Closed Lost Reason", "Lost Reason", "Reason Lost",
                            "失注理由", "실주 사유", "실주사유"),
            "loss_comment": ("Loss Comment",),
            "created_date": ("CreatedDate", "Created Date", "作成日", "작성 일자", "建立日期"),
        }),
        # the OpportunityHistory object (Data Export's OpportunityHistory.csv: API names) and the Opportunity
        # History report (labels): one row per change of stage, amount, probability or close date
        "opportunity_history": _aliases({
            "opportunity_id": ("OpportunityId", "Opportunity ID", "商談 ID"),
            "changed_at": ("CreatedDate", "Last Modified", "Edit Date", "Changed Date", "Date Changed", "変更日"),
            "stage": ("StageName", "Stage", "To Stage", "フェーズ", "단계"),
            "forecast_category": ("ForecastCategory", "ForecastCategoryName", "Forecast Category", "売上予測分類",
                                  "예측 범주"),
            "probability": ("Probability", "Probability (%)", "確度 (%)"),
            "amount": ("Amount", "金額", "금액"), "close_date": ("CloseDate", "Close Date", "完了予定日"),
        }),
        # a User export (Data Export's User.csv, or a Users report): the CSM's name as accounts.csm_owner
        # holds it, their manager's name, and the role standing for the team
        "team": _aliases({
            "owner": ("Name", "Full Name", "User: Full Name", "User Name"),
            "manager": ("Manager", "Manager.Name", "Manager: Full Name", "Manager Name"),
            "team": ("Role", "UserRole.Name", "Role: Name", "User Role", "Role Name", "Team"),
            "email": ("Email", "Email Address"),
        }),
        "tickets": _aliases({
            "ticket_id": ("Id", "CaseNumber", "Case Number", "Case ID"), "account_id": ("AccountId", "Account ID"),
            "created_at": ("CreatedDate", "Date/Time Opened", "Opened Date"),
            "solved_at": ("ClosedDate", "Date/Time Closed", "Closed Date"),
            "priority": ("Priority",), "status": ("Status",), "escalated": ("IsEscalated", "Escalated"),
        }),
        "activities": _aliases({
            "account_id": ("AccountId", "Account ID"), "occurred_at": ("ActivityDate", "Date", "Due Date"),
            "kind": ("TaskSubtype", "Type", "Task Subtype"), "subject": ("Subject",),
            "owner": ("Owner.Name", "OwnerId", "Assigned"),
        }),
    },
    values={"renewal_opportunities": {"forecast_category": SALESFORCE_CATEGORIES, "stage": SALESFORCE_STAGES},
            "opportunity_history": {"forecast_category": SALESFORCE_CATEGORIES, "stage": SALESFORCE_STAGES}},
)

# HubSpot's default sales pipeline and each stage's default deal probability (its knowledge base, "Set up and
# customize your deal pipelines and deal stages"): the call a stage stands for when the history has no other
HUBSPOT_STAGE_PROBABILITY = {"appointment scheduled": 20, "qualified to buy": 40, "presentation scheduled": 60,
                             "decision maker bought-in": 80, "contract sent": 90, "closed won": 100, "closed lost": 0}
HUBSPOT_STAGE_IDS = {"appointmentscheduled": "Appointment scheduled", "qualifiedtobuy": "Qualified to buy",
                     "presentationscheduled": "Presentation scheduled",
                     "decisionmakerboughtin": "Decision maker bought-in", "contractsent": "Contract sent",
                     "closedwon": "Closed won", "closedlost": "Closed lost"}
# a deals export's "Date entered "<stage> (<pipeline>)"" columns, or the properties' names hs_date_entered_<stage id>
DATE_ENTERED = re.compile(r'^(?:date entered\s+"?(?P<label>.+?)(?:\s+\([^()]*\))?"?|hs_date_entered_(?P<id>\w+))$',
                          re.IGNORECASE)


def stage_history_rows(raw: pl.DataFrame) -> pl.DataFrame | None:
    """A HubSpot deals export with "Date entered" stage columns as one row per deal and stage entered
    (Record ID, Date entered, Deal Stage, and the deal's Amount and Close Date when exported); None when the
    file has no such column."""
    stages = {}
    for column in raw.columns:
        found = DATE_ENTERED.match(column.strip())
        if found:
            stages[column] = found["label"] or HUBSPOT_STAGE_IDS.get(found["id"].lower(), found["id"])
    key = next((c for c in raw.columns if normalise_header(c) in ("record id", "deal id", "hs_object_id")), None)
    if not stages or key is None:
        return None
    keep = [c for c in raw.columns if normalise_header(c) in ("amount", "close date", "closedate")]
    parts = [raw.select(ROW_COLUMN, pl.col(key).alias("Record ID"), pl.col(column).alias("Date entered"),
                        pl.lit(stage).alias("Deal Stage"), *keep) for column, stage in stages.items()]
    entered = pl.concat(parts).filter(pl.col("Date entered").is_not_null()
                                      & (pl.col("Date entered").cast(pl.String).str.strip_chars() != ""))
    return entered.sort(ROW_COLUMN, "Date entered")


def _hubspot_derive(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    # HubSpot exports deal probability as a fraction (0.6); ours is a percentage.
    if table == "renewal_opportunities" and "probability" in frame.columns:
        fraction = frame["probability"].cast(pl.Float64, strict=False)
        frame = frame.with_columns((fraction * 100).cast(pl.String).alias("probability"))
    # a stage history carries stages only: each stands for its default probability
    if table == "opportunity_history" and "stage" in frame.columns and "probability" not in frame.columns:
        frame = frame.with_columns(pl.col("stage").str.to_lowercase().str.strip_chars().replace_strict(
            {k: str(v) for k, v in HUBSPOT_STAGE_PROBABILITY.items()}, default=None).alias("probability"))
    return frame


HUBSPOT = Preset(
    "hubspot", "HubSpot",
    files={"companies": "accounts", "company": "accounts", "deals": "renewal_opportunities",
           "deal": "renewal_opportunities", "tickets": "tickets", "deal_stage_history": "opportunity_history",
           "deals_stage_history": "opportunity_history", "deal_history": "opportunity_history"},
    columns={
        "accounts": _aliases({
            "account_id": ("Record ID", "Company ID"), "name": ("Company name", "Name"),
            "industry": ("Industry",), "country": ("Country/Region", "Country"),
            "region": ("State/Region",), "am_owner": ("Company owner",),
            "parent_account_id": ("Parent Company ID", "Parent Company"),
            "created_date": ("Create Date", "Created Date"), "segment": ("Company Segment", "Type"),
        }),
        "renewal_opportunities": _aliases({
            "opportunity_id": ("Record ID", "Deal ID"),
            "account_id": ("Associated Company IDs (Primary)", "Associated Company ID", "Associated Company IDs"),
            # Japanese labels as HubSpot's Japanese knowledge base names its default deal properties
            "close_date": ("Close Date", "クローズ日"),
            "amount": ("Amount", "Annual contract value", "金額", "年間契約額(ACV)", "年間契約価値"),
            "type": ("Deal Type",), "stage": ("Deal Stage", "取引ステージ"),
            "forecast_category": ("Forecast category",),
            "probability": ("Deal probability",), "is_closed": ("Is Closed",), "is_won": ("Is Closed Won",),
            "owner": ("Deal owner",), "created_date": ("Create Date",),
            # the default deal property closed_lost_reason ("Closed lost reason"; 失注理由 in a Japanese portal)
            "loss_reason": ("Closed Lost Reason", "closed_lost_reason", "失注理由"),
        }),
        # the deals export's stage columns, one row per stage entered (stage_history_rows)
        "opportunity_history": _aliases({
            "opportunity_id": ("Record ID",), "changed_at": ("Date entered",), "stage": ("Deal Stage",),
            "amount": ("Amount",), "close_date": ("Close Date", "closedate"),
        }),
        "tickets": _aliases({
            "ticket_id": ("Ticket ID", "Record ID"),
            "account_id": ("Associated Company IDs (Primary)", "Associated Company ID"),
            "created_at": ("Create date", "Create Date"), "solved_at": ("Close date", "Close Date"),
            "priority": ("Priority",), "status": ("Ticket status", "Status"),
        }),
    },
    values={"renewal_opportunities": {
        "type": {"existingbusiness": "Renewal", "newbusiness": "New Business"},
        # the won and lost stages of a Japanese portal (成約 / 失注, HubSpot's Japanese knowledge base)
        "stage": {"成約": "Closed Won", "失注": "Closed Lost"},
        "forecast_category": {"Best case": "Best Case", "Closed won": "Closed", "Omit": "Omitted",
                              "Not forecasted": "Omitted"},
    }},
    derive=_hubspot_derive,
)


def _zendesk_derive(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    # Zendesk has no escalation flag; teams tag escalated tickets.
    if table == "tickets" and "tags" in frame.columns and "escalated" not in frame.columns:
        frame = frame.with_columns(
            pl.col("tags").str.to_lowercase().str.contains("escalat").fill_null(False)
            .cast(pl.String).alias("escalated"))
    return frame


ZENDESK = Preset(
    "zendesk", "Zendesk",
    files={"tickets": "tickets", "export": "tickets", "satisfaction_ratings": "surveys"},
    columns={"tickets": _aliases({
        # "Organization" holds the organisation's name, not an id, so it is not mapped
        "ticket_id": ("Id", "Ticket ID"), "account_id": ("Organization id", "Organization ID"),
        "created_at": ("Created at", "Created"), "solved_at": ("Solved at", "Solved"),
        "priority": ("Priority",), "status": ("Status",), "satisfaction": ("Satisfaction Score", "Satisfaction"),
        "tags": ("Tags",),
    })},
    values={"tickets": {"satisfaction": {"Good": "good", "Bad": "bad", "Offered": "", "Unoffered": ""}}},
    derive=_zendesk_derive,
)


# Stripe's zero-decimal currencies: an amount in the smallest unit is already whole units (Stripe's docs,
# "Zero-decimal currencies").
ZERO_DECIMAL_CURRENCIES = ("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                           "XAF", "XOF", "XPF")


def _major_units(frame: pl.DataFrame) -> pl.DataFrame:
    """An API export's amount in the smallest unit (4900 cents) as the Dashboard writes it (49.00)."""
    if "plan_amount_minor" not in frame.columns or "plan_amount" in frame.columns:
        return frame.drop("plan_amount_minor", strict=False)
    currency = pl.col("currency").str.to_uppercase() if "currency" in frame.columns else pl.lit("USD")
    minor = pl.col("plan_amount_minor").str.replace_all(r"[,\s]", "").cast(pl.Float64, strict=False)
    major = pl.when(currency.is_in(ZERO_DECIMAL_CURRENCIES)).then(minor).otherwise(minor / 100)
    return frame.with_columns(major.cast(pl.String).alias("plan_amount")).drop("plan_amount_minor")


def _stripe_derive(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    # Stripe bills a price per interval per unit; MRR normalises it to a month.
    if table != "subscriptions" or "mrr" in frame.columns:
        return frame
    frame = _major_units(frame)
    if "plan_amount" not in frame.columns:
        return frame
    interval = pl.col("plan_interval").str.to_lowercase() if "plan_interval" in frame.columns else pl.lit("month")
    months = (pl.when(interval == "year").then(pl.lit(12)).when(interval == "week").then(pl.lit(12 / 52))
              .when(interval == "day").then(pl.lit(12 / 365)).otherwise(pl.lit(1)))
    count = pl.col("plan_interval_count").cast(pl.Float64, strict=False).fill_null(1) \
        if "plan_interval_count" in frame.columns else pl.lit(1.0)
    quantity = pl.col("quantity").cast(pl.Float64, strict=False).fill_null(1) \
        if "quantity" in frame.columns else pl.lit(1.0)
    amount = pl.col("plan_amount").str.replace_all(r"[,$€£¥\s]", "").cast(pl.Float64, strict=False)
    return frame.with_columns(
        (amount * quantity / (months * count)).cast(pl.String).alias("mrr"),
        (months * count).round(0).cast(pl.Int64).cast(pl.String).alias("bill_period_months"),
    )


STRIPE = Preset(
    "stripe", N_("Stripe subscriptions"),
    files={"subscriptions": "subscriptions"},
    columns={"subscriptions": _aliases({
        "subscription_id": ("id",), "account_id": ("Customer ID", "Customer"),
        "product": ("Product", "Plan", "Product Name"), "quantity": ("Quantity",),
        "plan_amount": ("Plan Amount", "Amount"), "plan_interval": ("Plan Interval", "Interval"),
        "plan_interval_count": ("Plan Interval Count",), "currency": ("Plan Currency", "Currency"),
        "start_date": ("Start Date (UTC)", "Start (UTC)", "Created (UTC)"),
        "end_date": ("Ended At (UTC)", "Ended At"), "booked_date": ("Created (UTC)",),
        # the Dashboard export is one row per subscription with its current period (data/README.md)
        "status": ("Status",), "cancel_at_period_end": ("Cancel At Period End",),
        "current_period_end": ("Current Period End (UTC)", "Current Period End"),
        "trial_end": ("Trial End (UTC)", "Trial End"), "canceled_at": ("Canceled At (UTC)", "Canceled At"),
        "cancellation_reason": ("Cancellation Reason", "cancellation_details.reason"),
        "cancellation_feedback": ("Cancellation Feedback", "cancellation_details.feedback"),
        "cancellation_comment": ("Cancellation Comment", "cancellation_details.comment"),
        # the API's amounts are in the currency's smallest unit (cents; yen and won are already whole units)
        "plan_amount_minor": ("plan.amount", "items.data.price.unit_amount", "price.unit_amount"),
    })},
    values={"subscriptions": {"currency": {"usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY",
                                           "krw": "KRW", "cad": "CAD", "aud": "AUD"}}},
    derive=_stripe_derive,
)


def _generic_columns() -> dict[str, dict[str, str]]:
    mapping = {}
    for table in TABLES.values():
        aliases = {normalise_header(c.name): c.name for c in table.columns}
        aliases.update({c.name.replace("_", " "): c.name for c in table.columns})
        mapping[table.name] = aliases
    mapping["subscriptions"]["arr"] = "arr"
    return mapping


GENERIC = Preset("generic", N_("Generic (our column names)"),
                 files={name: name for name in TABLES}, columns=_generic_columns())

PRESETS: dict[str, Preset] = {p.name: p for p in (GENERIC, SALESFORCE, HUBSPOT, ZENDESK, STRIPE)}
