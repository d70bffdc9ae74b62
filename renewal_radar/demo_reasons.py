"""Why the demo's customers leave: loss reasons in each account's language and Stripe-style cancellations.

The CRM's lost and contracted renewals get a loss reason written the way a CSM in that country would type it
(some get none: real books leave a quarter or so blank), and monthly subscriptions that end get Stripe's
``cancellation_details`` (reason, feedback code, sometimes a comment). Reasons follow the account: a customer
who never adopted the product says so more often than one who did.
"""

from __future__ import annotations

import numpy as np
import polars as pl

LANGUAGE_OF_COUNTRY = {"Japan": "ja", "South Korea": "ko", "Taiwan": "zh_TW"}
# what each reason reads like in a CRM's free-text loss reason field (the taxonomy in reasons.toml maps them)
LOSS_WORDS = {
    "price": {"en": "Budget cuts", "ja": "予算削減のため", "ko": "예산 삭감", "zh_TW": "預算刪減"},
    "competitor": {"en": "Switched to competitor", "ja": "競合他社に乗り換え", "ko": "경쟁사로 전환",
                   "zh_TW": "改用競爭對手"},
    "low_adoption": {"en": "Low adoption", "ja": "利用率が低い", "ko": "낮은 사용률", "zh_TW": "使用率太低"},
    "champion_left": {"en": "Champion left", "ja": "担当者が退職", "ko": "담당자 퇴사", "zh_TW": "窗口離職"},
    "missing_features": {"en": "Missing features they needed", "ja": "必要な機能不足", "ko": "필요한 기능 부족",
                         "zh_TW": "缺少需要的功能"},
    "quality": {"en": "Too many bugs and outages", "ja": "不具合が多い", "ko": "잦은 장애", "zh_TW": "錯誤太多"},
    "acquired": {"en": "Acquired by another company", "ja": "他社に買収された", "ko": "타사에 인수됨",
                 "zh_TW": "被其他公司收購"},
    "out_of_business": {"en": "Went out of business", "ja": "倒産", "ko": "폐업", "zh_TW": "公司倒閉"},
}
LOST_WEIGHTS = {"price": 0.24, "competitor": 0.2, "champion_left": 0.14, "missing_features": 0.14, "quality": 0.1,
                "acquired": 0.1, "out_of_business": 0.08}
CONTRACTION_WEIGHTS = {"price": 0.6, "low_adoption": 0.4}
NO_REASON_SHARE = 0.25
# Stripe's cancellation_details.feedback codes, and a comment a customer might leave with each
FEEDBACK_COMMENTS = {
    "too_expensive": {"en": "We can't justify the cost > 20% of our tools budget", "ja": "コストが合わない",
                      "ko": "비용 부담이 큽니다", "zh_TW": "費用太高"},
    "unused": {"en": "Nobody on the team used it", "ja": "チームで使っていない", "ko": "팀에서 사용하지 않음",
               "zh_TW": "團隊沒有使用"},
    "switched_service": {"en": "Moved to a cheaper tool", "ja": "他社ツールに乗り換え", "ko": "타사 도구로 전환",
                         "zh_TW": "改用其他工具"},
    "missing_features": {"en": "No Salesforce integration", "ja": "連携機能がない", "ko": "연동 기능이 없음",
                         "zh_TW": "沒有整合功能"},
    "too_complex": {"en": "Too hard to set up", "ja": "設定が難しい", "ko": "설정이 어렵습니다", "zh_TW": "設定太複雜"},
    "customer_service": {"en": "Support never answered", "ja": "サポートの返信がない", "ko": "고객 지원 응답 없음",
                         "zh_TW": "客服沒有回應"},
    "low_quality": {"en": "Reports were often wrong", "ja": "レポートの品質が低い", "ko": "보고서 품질이 낮음",
                    "zh_TW": "報表品質不佳"},
    "other": {"en": "<b>Closing the project</b>", "ja": "プロジェクト終了", "ko": "프로젝트 종료",
              "zh_TW": "專案結束"},
}


def _language(country: str) -> str:
    return LANGUAGE_OF_COUNTRY.get(country, "en")


def _pick(rng, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), n, p=p / p.sum())]


def loss_reasons(countries: np.ndarray, engagement: np.ndarray, lost: np.ndarray, contracted: np.ndarray,
                 seed: int = 11) -> list[str | None]:
    """A loss reason per opportunity: lost ones by the account's engagement (little use: low adoption), contracted
    renewals mostly price or adoption, a quarter left blank; in the language of the account's country."""
    rng = np.random.default_rng(seed)
    n = len(countries)
    lost_pick = _pick(rng, LOST_WEIGHTS, n)
    lost_pick = np.where((engagement < 0.5) & (rng.random(n) < 0.6), "low_adoption", lost_pick)
    kind = np.where(lost, lost_pick, _pick(rng, CONTRACTION_WEIGHTS, n))
    blank = rng.random(n) < NO_REASON_SHARE
    return [None if blank[i] or not (lost[i] or contracted[i]) else LOSS_WORDS[kind[i]][_language(countries[i])]
            for i in range(n)]


def with_cancellations(lines: pl.DataFrame, countries: dict[str, str], engagement: dict[str, float],
                       end: np.datetime64, seed: int = 12) -> pl.DataFrame:
    """Stripe's cancellation fields on the monthly lines that end without a renewal: mostly a requested
    cancellation with a feedback code (a quarter give none), some a failed payment, some nothing at all (ended
    by hand); a comment on some."""
    rng = np.random.default_rng(seed)
    starts = lines.select("account_id", pl.col("start_date").alias("end_date")).unique().with_columns(
        pl.lit(True).alias("_renewed"))
    flagged = lines.join(starts, on=["account_id", "end_date"], how="left", maintain_order="left")
    ending = ((pl.col("bill_period_months") == 1) & pl.col("_renewed").is_null()
              & (pl.col("end_date") < pl.lit(end).cast(pl.Date)))
    flagged = flagged.with_columns(ending.fill_null(False).alias("_cancelled"))
    index = np.flatnonzero(flagged["_cancelled"].to_numpy())
    reason = np.full(flagged.height, None, dtype=object)
    feedback = np.full(flagged.height, None, dtype=object)
    comment = np.full(flagged.height, None, dtype=object)
    for row in index:
        account = flagged["account_id"][int(row)]
        draw = rng.random()
        if draw < 0.15:  # ended by hand in the dashboard: no cancellation details at all
            continue
        if draw < 0.3:
            reason[row] = "payment_failed"
            continue
        reason[row] = "cancellation_requested"
        if rng.random() < 0.25:
            continue
        code = "unused" if engagement.get(account, 1) < 0.5 and rng.random() < 0.6 else \
            str(rng.choice(list(FEEDBACK_COMMENTS)))
        feedback[row] = code
        if rng.random() < 0.4:
            comment[row] = FEEDBACK_COMMENTS[code][_language(countries.get(account, ""))]
    return flagged.drop("_renewed", "_cancelled").with_columns(
        pl.Series("cancellation_reason", reason.tolist(), dtype=pl.String),
        pl.Series("cancellation_feedback", feedback.tolist(), dtype=pl.String),
        pl.Series("cancellation_comment", comment.tolist(), dtype=pl.String))
