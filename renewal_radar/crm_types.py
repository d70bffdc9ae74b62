"""Which CRM opportunity types are not a renewal's call (metrics.md "Renewal forecast"): an opportunity of the
account closing within grace of a renewal is its renewal call unless its type says it is new business or an
upsell — in any language the CRM speaks. A type is matched by the words it contains, case aside, so an org's own
labels ("Existing Customer - Upgrade", 既存顧客 - アップグレード) and a plain "Renewal" (既存顧客 - 更新, 갱신,
續約) read as they should; an opportunity without a type is a renewal's call."""

from __future__ import annotations

NOT_A_RENEWAL = (
    # English (Salesforce's standard values: New Customer, Existing Customer - Upgrade; HubSpot's newbusiness)
    "new business", "newbusiness", "new customer", "new logo", "new deal", "upsell", "up-sell", "upgrade",
    "cross-sell", "cross sell", "crosssell", "add-on", "addon", "expansion",
    # Japanese (新規顧客, 既存顧客 - アップグレード)
    "新規", "アップセル", "アップグレード", "クロスセル", "追加購入",
    # Korean (신규 고객, 기존 고객 - 업그레이드)
    "신규", "업셀", "업그레이드", "교차 판매", "크로스셀", "추가 판매",
    # Traditional Chinese (新客戶, 現有客戶 - 升級)
    "新客戶", "新業務", "新商機", "追加銷售", "向上銷售", "交叉銷售", "升級",
)


def params() -> dict:
    """The bound parameter of the queries that pick renewal calls (``$other_types``)."""
    return {"other_types": list(NOT_A_RENEWAL)}


def is_renewal_call(opportunity_type: str | None) -> bool:
    """Whether an opportunity of this type is a renewal's call (the rule the queries apply)."""
    text = (opportunity_type or "").lower()
    return not any(word in text for word in NOT_A_RENEWAL)
