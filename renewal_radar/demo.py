"""The synthetic demo company: a seeded B2B SaaS business written as export files.

Churn and expansion are caused by the data, with noise: each account has a
latent engagement that drifts with CSM attention, support pain and random
shocks (a champion leaves). Engagement drives active users, product usage,
feature breadth and survey scores; at each renewal the churn probability
rises with low engagement, low seat utilisation, escalations, bad NPS and
no recent CSM touch, and high utilisation leads to seat expansion (heavy
users also move up a plan tier at renewal, light users down). Health scores
and forecasts built on the exports therefore have real signal.

Money is realistic too: accounts in Europe and Asia pay in EUR, GBP, JPY and
KRW from a price list fixed in their own currency, while the monthly
exchange rates drift, so the fx movement is visible beside real expansion.
Surveys are NPS (0-10) and CSAT (1-5, after support tickets).

The demo is written as export files (CSV, and Parquet for usage) and loaded
through the normal import path, so every demo build exercises it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from renewal_radar import dates, demo_economics, demo_reasons

DEMO_END = dt.date(2026, 11, 1)
SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"])
SEGMENT_SHARE = (0.6, 0.3, 0.1)
PLANS = np.array(["Starter", "Growth", "Enterprise"])
SEAT_PRICE_USD = np.array([18.0, 32.0, 55.0])
REGIONS = {
    "North America": (0.45, ["United States", "Canada"], ["USD", "USD"]),
    "EMEA": (0.3, ["Germany", "United Kingdom", "France", "Netherlands"], ["EUR", "GBP", "EUR", "EUR"]),
    "APAC": (0.2, ["Japan", "South Korea", "Taiwan", "Australia"], ["JPY", "KRW", "USD", "USD"]),
    "LATAM": (0.05, ["Brazil", "Mexico"], ["USD", "USD"]),
}
FX_START = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0068, "KRW": 0.00074}
WHOLE_UNIT_CURRENCIES = ("JPY", "KRW")  # priced and billed without minor units
ADDON_SEAT_PRICE_USD = 6.0
INDUSTRIES = ["Software", "Financial Services", "Healthcare", "Retail", "Manufacturing", "Media", "Education",
              "Logistics"]
CHANNELS = ["Inbound", "Outbound", "Partner", "Self-serve"]
FEATURES = np.array(["dashboards", "reports", "alerts", "exports", "integrations", "api", "workflows", "admin"])
CSMS = {
    "SMB": ["Digital CS Pool", "Maya Patel", "Tom Becker"],
    "Mid-Market": ["Sofia Rossi", "Daniel Kim", "Priya Shah", "Lucas Martin", "김민준", "佐藤 美咲"],
    "Enterprise": ["Hannah Schmidt", "James O'Connor", "陳怡君", "Olivia Brown"],
}
# three teams, one per segment, each with its manager (team.csv)
TEAMS = {"SMB": ("Scale", "Rachel Green"), "Mid-Market": ("Growth", "Carlos Díaz"),
         "Enterprise": ("Strategic", "Emily Chen")}
# the plan (targets.csv): GRR on renewals for the whole book, per segment and per team
PLAN_GRR = {None: 0.90, "SMB": 0.80, "Mid-Market": 0.88, "Enterprise": 0.93}
AMS = ["Alex Turner", "Grace Lee", "Marco Bianchi", "Nina Kowalski", "山田 太郎", "이서연"]
NAME_HEADS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Cyberdyne", "Soylent", "Tyrell",
              "Hooli", "Vandelay", "Pied Piper", "Aperture", "Black Mesa", "Blue Sun", "Nakatomi", "Oscorp",
              "Massive Dynamic", "Gringotts", "Monarch", "Vehement", "Sterling", "Dunder", "Prestige", "Zorg"]
NAME_TAILS = ["Labs", "Systems", "Group", "Holdings", "Analytics", "Logistics", "Health", "Retail", "Capital",
              "Media", "Foods", "Energy", "Robotics", "Software", "Partners", "Networks"]
CJK_NAMES = {"Japan": ["株式会社さくら", "東京データ工業", "大阪ロジスティクス", "みらい商事"],
             "South Korea": ["한빛소프트", "서울데이터", "미래물산", "푸른바다"],
             "Taiwan": ["台灣精密科技", "新竹資訊", "高雄物流", "玉山網路"]}


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build produced."""

    accounts: int
    lines: int
    events: int
    seconds: float
    folder: Path


def _months_after(first: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Dates (datetime64[D]) ``months`` after ``first``; days of month are kept (all are <= 28)."""
    month = first.astype("datetime64[M]") + np.asarray(months).astype("timedelta64[M]")
    day = (first - first.astype("datetime64[M]").astype("datetime64[D]"))
    return month.astype("datetime64[D]") + day


def _text(values: np.ndarray) -> pl.Series:
    """A string column from a numpy array that may hold None (object dtype)."""
    return pl.Series([None if v is None else str(v) for v in values.tolist()], dtype=pl.String)


class _Company:
    """Simulates accounts month by month; collects the rows of each export."""

    def __init__(self, n_accounts: int, seed: int, years: int, end: dt.date):
        self.rng = np.random.default_rng(seed)
        self.n = n_accounts
        self.end = np.datetime64(end, "D")
        self.end_date = end
        self.end_time = dt.datetime.combine(end, dt.time())
        self.start = np.datetime64(dt.date(end.year - years, end.month, 1), "D")
        self.horizon = years * 12 + 1
        self._accounts()

    # ------------------------------------------------------------ accounts

    def _accounts(self) -> None:
        rng, n = self.rng, self.n
        self.segment = rng.choice(3, n, p=SEGMENT_SHARE)
        self.plan = np.clip(self.segment + rng.choice([-1, 0, 0, 0, 1], n), 0, 2)
        region_names = list(REGIONS)
        self.region = rng.choice(len(region_names), n, p=[REGIONS[r][0] for r in region_names])
        countries, currencies = [], []
        for r in self.region:
            _, names, money = REGIONS[region_names[r]]
            pick = rng.integers(len(names))
            countries.append(names[pick])
            currencies.append(money[pick])
        self.country, self.currency = np.array(countries), np.array(currencies)
        span = int((self.end - self.start).astype(int)) - 1
        # the book grows: more accounts start in later months
        offsets = (rng.random(n) ** 0.8 * span).astype(int)
        first_month = (self.start + offsets).astype("datetime64[M]").astype("datetime64[D]")
        self.first_start = first_month + rng.integers(0, 28, n)
        self.first_start = np.minimum(self.first_start, self.end - 2)
        monthly_share = np.array([0.7, 0.25, 0.0])[self.segment]
        self.term = np.where(rng.random(n) < monthly_share, 1, 12)
        seat_scale = np.array([8, 60, 400])[self.segment]
        self.seats = np.maximum(1, np.round(rng.lognormal(np.log(seat_scale), 0.5))).astype(float)
        self.engagement = np.clip(rng.normal(0.62, 0.15, n), 0.1, 0.95)
        self.baseline = self.engagement.copy()
        coverage = np.array([0.25, 0.6, 0.85])[self.segment]
        neglected = rng.random(n) < 0.2
        self.coverage = np.where(neglected, coverage * 0.25, coverage)
        self.ids = np.array([f"ACC-{i:06d}" for i in range(1, n + 1)])
        self.names = self._names(rng)
        self.fx = self._fx_rates(rng)

    def _names(self, rng) -> np.ndarray:
        names = []
        for i, country in enumerate(self.country):
            if country in CJK_NAMES and rng.random() < 0.6:
                names.append(f"{CJK_NAMES[country][rng.integers(4)]} {i + 1}")
            else:
                names.append(f"{NAME_HEADS[rng.integers(len(NAME_HEADS))]} "
                             f"{NAME_TAILS[rng.integers(len(NAME_TAILS))]} {i + 1}")
        return np.array(names)

    def _fx_rates(self, rng) -> dict[str, np.ndarray]:
        months = self.horizon + 13
        return {cur: base * np.exp(np.cumsum(rng.normal(0, 0.012, months))) if cur != "USD" else np.ones(months)
                for cur, base in FX_START.items()}

    def local_price(self, usd_price: np.ndarray, currency: np.ndarray) -> np.ndarray:
        """A seat price in each account's own currency from the price list, fixed when the list was set.

        Prices are set once per currency (at the rates of the list's date) and do not follow the exchange
        rate: a EUR customer pays the same euros every month, and the rate's moves show as fx, not as
        customer expansion or contraction.
        """
        start_rate = np.array([FX_START[c] for c in currency.tolist()])
        local = usd_price / start_rate
        whole = np.isin(currency, WHOLE_UNIT_CURRENCIES)
        return np.where(whole, np.round(local, -1), np.round(local, 2))

    # ------------------------------------------------------------ simulation

    def simulate(self) -> None:
        """Run every account month by month from its first start to the end of the data."""
        rng, n = self.rng, self.n
        active = np.zeros(n, bool)
        started = np.zeros(n, bool)
        self.first_start.copy()  # start of the account's current month of life
        restart_at = np.full(n, -1)
        term_left = np.zeros(n, int)
        addon = np.zeros(n, bool)
        last_touch_age = np.full(n, 99)
        escalations_3m = np.zeros(n)
        last_nps = np.full(n, np.nan)
        self.months, self.lines, self.opps = [], [], []
        for step in range(self.horizon + 1):
            day = _months_after(self.first_start, step)
            in_data = day < self.end
            beginning = in_data & ~started & (step == 0)
            started |= beginning
            returning = in_data & ~active & (restart_at == step)
            new_term = in_data & (beginning | returning | (active & (term_left == 0)))
            # a renewal decision is taken where a running term ends
            deciding = active & (term_left == 0) & in_data
            churns = deciding & (rng.random(n) < self._churn_probability(
                escalations_3m, last_touch_age, last_nps))
            active &= ~churns
            reactivate = churns & (rng.random(n) < 0.12)
            restart_at = np.where(reactivate, step + rng.integers(2, 9, n), restart_at)
            new_term &= ~churns
            active |= new_term
            self._adjust_seats(deciding & ~churns)
            self._change_plan(deciding & ~churns)
            self._emit_terms(new_term, day, step, addon)
            addon_now = active & in_data & ~addon & (self.term == 12) & (self.engagement > 0.7) & (term_left > 2) \
                & (rng.random(n) < 0.04)
            self._emit_addon(addon_now, day, term_left)
            addon |= addon_now
            term_left = np.where(new_term, self.term, term_left) - (active & in_data)
            live = active & in_data
            touches = rng.poisson(self.coverage * 1.5) * live
            last_touch_age = np.where(touches > 0, 0, last_touch_age + 1)
            tickets = rng.poisson((0.3 + self.seats ** 0.35 * 0.12) * (1.6 - self.engagement)) * live
            escalated = rng.binomial(tickets, np.clip(0.03 + 0.3 * (0.7 - self.engagement), 0.01, 0.5))
            escalations_3m = escalations_3m * 0.66 + escalated
            surveyed = live & (rng.random(n) < 0.12)
            nps = np.clip(np.round(11 * self.engagement - 0.5 + rng.normal(0, 1.6, n)), 0, 10) + 0.0  # no -0.0
            last_nps = np.where(surveyed, nps, last_nps)
            self.months.append(dict(step=step, live=live, day=day, seats=self.seats.copy(),
                                    engagement=self.engagement.copy(), touches=touches, tickets=tickets,
                                    escalated=escalated, surveyed=surveyed, nps=nps))
            # engagement drifts: attention helps, pain and shocks hurt
            shock = rng.random(n) < 0.04
            drift = (0.02 * (touches > 0) - 0.015 * (touches == 0) - 0.03 * escalated + rng.normal(0, 0.04, n)
                     + 0.06 * (self.baseline - self.engagement))
            self.engagement = np.clip(self.engagement + drift - 0.25 * shock, 0.02, 1.0)
        self.final_state = dict(active=active, term_left=term_left, escalations=escalations_3m,
                                touch_age=last_touch_age, nps=last_nps)

    def _churn_probability(self, escalations, touch_age, nps) -> np.ndarray:
        utilisation = np.clip(self.engagement + 0.05, 0.05, 1.1)
        nps_term = np.where(np.isnan(nps), 0.0, (6.5 - nps) * 0.18)
        base = np.where(self.term == 1, -5.2, -3.9)
        logit = (base + 4.0 * (0.6 - self.engagement) + 1.0 * (utilisation < 0.45)
                 + 0.3 * escalations + 0.5 * (touch_age >= 3) + nps_term)
        return 1 / (1 + np.exp(-logit))

    def renewal_probability(self) -> np.ndarray:
        """The true chance each account renews at its next decision, given its state at the end."""
        s = self.final_state
        return 1 - self._churn_probability(s["escalations"], s["touch_age"], s["nps"])

    def _adjust_seats(self, renewing: np.ndarray) -> None:
        rng = self.rng
        utilisation = np.clip(self.engagement + 0.05 + rng.normal(0, 0.08, self.n), 0.05, 1.2)
        # monthly terms renew every month: the same yearly chance of a change, spread over twelve decisions
        chance = self.term / 12
        grow = renewing & (utilisation > 0.75) & (rng.random(self.n) < 0.7 * chance)
        shrink = renewing & (utilisation < 0.5) & (rng.random(self.n) < 0.4 * chance)
        self.seats = np.where(grow, np.ceil(self.seats * rng.uniform(1.1, 1.6, self.n)), self.seats)
        self.seats = np.where(shrink, np.maximum(1, np.floor(self.seats * rng.uniform(0.6, 0.9, self.n))),
                              self.seats)

    def _change_plan(self, renewing: np.ndarray) -> None:
        """Plan-tier moves at renewal: heavy users upgrade, light users downgrade (about yearly chances)."""
        rng = self.rng
        chance = self.term / 12
        upgrade = renewing & (self.engagement > 0.8) & (self.plan < 2) & (rng.random(self.n) < 0.25 * chance)
        downgrade = renewing & (self.engagement < 0.4) & (self.plan > 0) & (rng.random(self.n) < 0.25 * chance)
        self.plan = self.plan + upgrade - downgrade

    def _emit_terms(self, starting: np.ndarray, day: np.ndarray, step: int, addon: np.ndarray) -> None:
        idx = np.flatnonzero(starting)
        if not len(idx):
            return
        end = _months_after(self.first_start[idx], step + self.term[idx])
        price = self.local_price(SEAT_PRICE_USD[self.plan[idx]] * (1 - 0.1 * (self.term[idx] == 12)),
                                 self.currency[idx])
        local = self.seats[idx] * price
        self.lines.append(pl.DataFrame({
            "account_id": self.ids[idx], "product": np.char.add("Platform ", PLANS[self.plan[idx]]),
            "start_date": day[idx], "end_date": end, "mrr": np.round(local, 2), "quantity": self.seats[idx],
            "bill_period_months": self.term[idx], "currency": self.currency[idx],
        }))
        with_addon = idx[addon[idx]]
        if len(with_addon):
            self._addon_lines(with_addon, day[with_addon], _months_after(self.first_start[with_addon],
                                                                         step + self.term[with_addon]))
        annual = idx[(self.term[idx] == 12)]
        if len(annual):
            self.opps.append((annual, _months_after(self.first_start[annual], step + 12)))

    def _emit_addon(self, starting: np.ndarray, day: np.ndarray, term_left: np.ndarray) -> None:
        idx = np.flatnonzero(starting)
        if len(idx):
            steps_left = term_left[idx]
            end = _months_after(day[idx], steps_left)
            self._addon_lines(idx, day[idx], end)

    def _addon_lines(self, idx: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        price = self.local_price(np.full(len(idx), ADDON_SEAT_PRICE_USD), self.currency[idx])
        self.lines.append(pl.DataFrame({
            "account_id": self.ids[idx], "product": "Analytics add-on", "start_date": start, "end_date": end,
            "mrr": np.round(self.seats[idx] * price, 2), "quantity": self.seats[idx],
            "bill_period_months": self.term[idx], "currency": self.currency[idx],
        }))


# ---------------------------------------------------------------- export tables


def _accounts_table(c: _Company) -> pl.DataFrame:
    rng = np.random.default_rng(1)
    segments = SEGMENTS[c.segment]
    csm = np.array([CSMS[s][rng.integers(len(CSMS[s]))] for s in segments])
    parents = np.where((c.segment == 2) & (rng.random(c.n) < 0.1), c.ids[rng.integers(0, c.n, c.n)], None)
    return pl.DataFrame({
        "account_id": c.ids, "name": c.names, "segment": segments, "industry": rng.choice(INDUSTRIES, c.n),
        "region": np.array(list(REGIONS))[c.region], "country": c.country, "csm_owner": csm,
        "am_owner": rng.choice(AMS, c.n), "parent_account_id": _text(parents), "currency": c.currency,
        "created_date": c.first_start - rng.integers(10, 120, c.n), "plan": PLANS[c.plan],
        "acquisition_channel": rng.choice(CHANNELS, c.n, p=[0.4, 0.25, 0.15, 0.2]),
    })


def _subscriptions_table(c: _Company) -> pl.DataFrame:
    lines = pl.concat(c.lines).sort("account_id", "start_date", "product")
    notice = {1: None, 12: 60}
    lines = demo_reasons.with_cancellations(lines, dict(zip(c.ids, c.country, strict=True)),
                                            dict(zip(c.ids, c.baseline, strict=True)), c.end)
    lines = demo_economics.with_renewal_economics(lines, c.end.astype(dt.date))
    return lines.with_columns(
        pl.format("SUB-{}", pl.int_range(1, pl.len() + 1)).alias("subscription_id"),
        pl.col("bill_period_months").replace_strict(notice, default=None, return_dtype=pl.Int64).alias("notice_days"),
        (pl.col("bill_period_months") == 12).alias("auto_renew"),
        pl.coalesce(pl.col("booked_date"), pl.col("start_date") - pl.duration(days=pl.col("bill_period_months") * 2))
        .alias("booked_date"),
    ).sort("account_id", "start_date", "product")


EVENTS_PER_CHUNK = 4_000_000  # bounds the generator's memory whatever the size asked for


def _usage_month_rows(c: _Company) -> pl.DataFrame:
    """One row per live account-month with its active users and engagement."""
    return pl.concat([pl.DataFrame({
        "account": np.flatnonzero(m["live"]), "day": m["day"][m["live"]],
        "users": np.maximum(1, np.round(m["seats"] * np.clip(m["engagement"] + 0.05, 0.05, 1.0)))[m["live"]],
        "engagement": m["engagement"][m["live"]]}) for m in c.months])


def _usage_chunk(c: _Company, months: pl.DataFrame, counts: np.ndarray, rng,
                 per_activity: float = 1.0) -> pl.DataFrame:
    """The events of some account-months: times spread over the month, features by engagement, users by seats;
    each activity (a user on a feature on a day) logs on average ``per_activity`` events that day."""
    rows = np.repeat(np.arange(months.height), counts)
    total = len(rows)
    day = months["day"].to_numpy()[rows]
    seconds = rng.integers(0, 30 * 86400, total).astype("timedelta64[s]").astype("timedelta64[ms]")
    when = day.astype("datetime64[ms]") + seconds
    engagement = months["engagement"].to_numpy()[rows]
    # engaged accounts use more of the product: breadth grows with engagement
    feature = np.minimum((rng.random(total) ** (3.2 - 2.5 * engagement) * len(FEATURES)).astype(int),
                         len(FEATURES) - 1)
    users = months["users"].to_numpy()[rows].astype(np.int64)
    account = months["account"].to_numpy()[rows]
    user_no = (rng.random(total) * users).astype(np.int64)
    if per_activity > 1:
        when, feature, account, user_no = _bursts(rng, per_activity, when, feature, account, user_no)
    keep = when < c.end.astype("datetime64[ms]")
    events = pl.DataFrame({
        "account_id": c.ids[account[keep]], "event_time": when[keep],
        "event_type": FEATURES[feature[keep]], "user_no": user_no[keep],
        "value": np.ones(int(keep.sum())),
    })
    return events.with_columns(pl.format("{}-u{}", "account_id", "user_no").alias("user_id")).drop("user_no")


def _bursts(rng, per_activity: float, when: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each activity repeated 1 + Poisson(per_activity - 1) times at random times of the same day: how real
    products log (many events per user and day), where the default density is one event per activity."""
    repeats = 1 + rng.poisson(per_activity - 1, len(when))
    day = when.astype("datetime64[D]").astype("datetime64[ms]")
    offsets = rng.integers(0, 86400 * 1000, int(repeats.sum())).astype("timedelta64[ms]")
    return (np.repeat(day, repeats) + offsets, *(np.repeat(column, repeats) for column in columns))


def write_usage_events(c: _Company, target_events: int, path: Path, per_activity: float = 1.0) -> int:
    """Write about ``target_events`` usage events to Parquet in bounded chunks; returns how many. With
    ``per_activity`` above 1 the same number of events comes as fewer activities, each a burst of events."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(2)
    months = _usage_month_rows(c)
    weight = (months["users"] * (0.3 + months["engagement"])).to_numpy()
    counts = rng.poisson(weight / weight.sum() * target_events / max(per_activity, 1.0))
    per_chunk = max(int(EVENTS_PER_CHUNK / max(per_activity, 1.0)), 1)
    bounds = np.searchsorted(np.cumsum(counts), np.arange(per_chunk, counts.sum(), per_chunk))
    written, writer = 0, None
    try:
        for chunk_rows in np.split(np.arange(months.height), bounds):
            events = _usage_chunk(c, months[chunk_rows], counts[chunk_rows], rng, per_activity).to_arrow()
            writer = writer or pq.ParquetWriter(path, events.schema)
            writer.write_table(events, row_group_size=1_000_000)
            written += events.num_rows
    finally:
        if writer is not None:
            writer.close()
    return written


def _tickets_table(c: _Company) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    frames = []
    for m in c.months:
        idx = np.repeat(np.arange(c.n), m["tickets"])
        if not len(idx):
            continue
        escalated = np.zeros(len(idx), bool)
        # mark as many tickets escalated as the simulation counted per account
        order = np.argsort(rng.random(len(idx)))
        first_of = np.searchsorted(np.sort(idx[order]), idx[order])
        escalated[order] = (np.arange(len(idx)) - first_of) < m["escalated"][idx[order]]
        created = m["day"][idx].astype("datetime64[ms]") + rng.integers(0, 30 * 86400, len(idx)).astype(
            "timedelta64[s]").astype("timedelta64[ms]")
        hours = rng.exponential(np.where(escalated, 96, 20))
        frames.append(pl.DataFrame({
            "account_id": c.ids[idx], "created_at": created,
            "solved_at": created + (hours * 3600).astype("timedelta64[s]").astype("timedelta64[ms]"),
            "priority": np.where(escalated, rng.choice(["urgent", "high"], len(idx)),
                                 rng.choice(["low", "normal", "normal", "high"], len(idx))),
            "escalated": escalated,
            "satisfaction": _text(np.where(rng.random(len(idx)) < 0.35, np.where(
                rng.random(len(idx)) < m["engagement"][idx] + 0.2, "good", "bad"), None)),
        }))
    tickets = pl.concat(frames, how="vertical_relaxed").filter(pl.col("created_at") < c.end_time).sort("created_at")
    end = c.end_time
    return tickets.with_columns(
        pl.format("T-{}", pl.int_range(1, pl.len() + 1)).alias("ticket_id"),
        pl.when(pl.col("solved_at") < end).then(pl.col("solved_at")).alias("solved_at"),
        pl.when(pl.col("solved_at") < end).then(pl.lit("solved")).otherwise(pl.lit("open")).alias("status"),
    ).select("ticket_id", "account_id", "created_at", "solved_at", "priority", "status", "satisfaction",
             "escalated")


NPS_COMMENTS = {0: "Too many outages and slow support.", 5: "It does the job but reports are hard to build.",
                8: "Solid product, the team likes the dashboards.", 10: "Indispensable for our weekly reviews!"}


def _surveys_table(c: _Company) -> pl.DataFrame:
    rng = np.random.default_rng(4)
    frames = []
    for m in c.months:
        idx = np.flatnonzero(m["surveyed"])
        if len(idx):
            score = m["nps"][idx]
            comment_key = np.select([score <= 4, score <= 6, score <= 8], [0, 5, 8], 10)
            frames.append(_responses(c, idx, m["day"], "NPS", score, [NPS_COMMENTS[k] for k in comment_key], 0.4,
                                     rng))
        frames.append(_csat_rows(c, m, rng))
    return pl.concat(frames, how="vertical_relaxed").filter(pl.col("responded_at") < c.end_time).sort("responded_at")


CSAT_COMMENTS = {1: "The ticket took a week to solve.", 3: "Fixed in the end.", 5: "Quick and friendly support."}


def _csat_rows(c: _Company, month: dict, rng) -> pl.DataFrame:
    """CSAT (1-5) sent after support tickets: about a third of the accounts with tickets answer each month."""
    idx = np.flatnonzero((month["tickets"] > 0) & (rng.random(c.n) < 0.35))
    score = np.clip(np.round(1 + 4 * month["engagement"][idx] + rng.normal(0, 0.8, len(idx))), 1, 5)
    comment_key = np.select([score <= 2, score <= 3], [1, 3], 5)
    return _responses(c, idx, month["day"], "CSAT", score, [CSAT_COMMENTS[k] for k in comment_key], 0.3, rng)


def _responses(c: _Company, idx: np.ndarray, days: np.ndarray, kind: str, score: np.ndarray, comments: list[str],
               comment_share: float, rng) -> pl.DataFrame:
    """Survey responses of accounts ``idx`` during the month starting on their ``days``; some leave a comment."""
    return pl.DataFrame({
        "account_id": c.ids[idx], "kind": kind, "score": score,
        "responded_at": days[idx].astype("datetime64[ms]") + rng.integers(0, 28 * 86400, len(idx))
        .astype("timedelta64[s]").astype("timedelta64[ms]"),
        "respondent": [f"user{rng.integers(1, 50)}@{c.ids[i].lower()}.example" for i in idx],
        "comment": _text(np.where(rng.random(len(idx)) < comment_share, np.array(comments, dtype=object), None)),
    }, schema_overrides={"score": pl.Float64})


def _activities_table(c: _Company) -> pl.DataFrame:
    rng = np.random.default_rng(5)
    segments = SEGMENTS[c.segment]
    owners = np.array([CSMS[s][0] if s == "SMB" else CSMS[s][i % len(CSMS[s])] for i, s in enumerate(segments)])
    frames = []
    for m in c.months:
        idx = np.repeat(np.arange(c.n), m["touches"])
        if not len(idx):
            continue
        review = (c.segment[idx] > 0) & (m["step"] % 3 == 1) & (rng.random(len(idx)) < 0.5)
        kind = np.where(review, "business_review", rng.choice(["call", "email", "email", "meeting", "note"], len(idx)))
        kind = np.where(m["step"] == 0, "onboarding", kind)
        frames.append(pl.DataFrame({
            "account_id": c.ids[idx], "kind": kind,
            "occurred_at": m["day"][idx].astype("datetime64[ms]") + rng.integers(0, 28 * 86400, len(idx))
            .astype("timedelta64[s]").astype("timedelta64[ms]"),
            "subject": np.char.add(np.char.replace(kind.astype(str), "_", " "), " with customer"),
            "owner": owners[idx],
        }))
    return pl.concat(frames, how="vertical_relaxed").filter(pl.col("occurred_at") < c.end_time).sort("occurred_at")


CATEGORY_PROBABILITY = {"Commit": 90, "Best Case": 60, "Pipeline": 30, "Omitted": 10}
STAGES = {"Commit": "Verbal Commit", "Best Case": "Negotiation", "Pipeline": "Proposal", "Omitted": "At Risk"}


def _opportunities_table(c: _Company, lines: pl.DataFrame) -> pl.DataFrame:
    rng = np.random.default_rng(6)
    idx = np.concatenate([a for a, _ in c.opps])
    close = np.concatenate([d for _, d in c.opps])
    created = close - 100
    keep = created < c.end
    idx, close = idx[keep], close[keep]
    opps = pl.DataFrame({"account_id": c.ids[idx], "close_date": close, "created_date": close - 100})
    due = (lines.filter(pl.col("end_date").is_in(opps["close_date"].unique().implode()))
           .group_by("account_id", "end_date").agg((12 * pl.col("mrr")).sum().alias("amount"),
                                                   pl.col("currency").first()))
    renewed = lines.group_by("account_id", "start_date").agg(pl.len().alias("n"),
                                                             (12 * pl.col("mrr")).sum().alias("renewed_amount"))
    opps = (opps.join(due, left_on=["account_id", "close_date"], right_on=["account_id", "end_date"], how="left")
            .join(renewed, left_on=["account_id", "close_date"], right_on=["account_id", "start_date"], how="left"))
    decided = (opps["close_date"] < c.end_date).to_numpy()
    won = opps["n"].is_not_null().to_numpy()
    truth = c.renewal_probability()[idx]
    judged = np.clip(truth + rng.normal(0, 0.12, len(idx)), 0, 1)
    category = np.select([judged > 0.85, judged > 0.65, judged > 0.35], ["Commit", "Best Case", "Pipeline"], "Omitted")
    category = np.where(decided, np.where(won, "Closed", "Omitted"), category)
    stage = np.where(decided, np.where(won, "Closed Won", "Closed Lost"),
                     np.array([STAGES.get(k, "") for k in category]))
    probability = np.where(decided, np.where(won, 100, 0),
                           np.array([CATEGORY_PROBABILITY.get(k, 0) for k in category], dtype=float))
    probability = np.where(~decided & (rng.random(len(idx)) < 0.3), np.nan, probability)
    return opps.with_columns(
        pl.format("OPP-{}", pl.int_range(1, pl.len() + 1)).alias("opportunity_id"),
        pl.lit("Renewal").alias("type"), pl.Series("stage", stage), pl.Series("forecast_category", category),
        pl.Series("probability", probability).fill_nan(None), pl.Series("is_closed", decided),
        pl.Series("is_won", decided & won),
        pl.Series("loss_reason", demo_reasons.loss_reasons(
            c.country[idx], c.baseline[idx], decided & ~won,
            decided & won & (opps["renewed_amount"].fill_null(0) < 0.999 * opps["amount"]).to_numpy()),
            dtype=pl.String),
        pl.col("account_id").replace_strict(dict(zip(c.ids, AMS * (c.n // len(AMS) + 1), strict=False)), default=None)
        .alias("owner"),
    ).select("opportunity_id", "account_id", "close_date", "amount", "currency", "type", "stage",
             "forecast_category", "probability", "is_closed", "is_won", "owner", "loss_reason", "created_date")


# CSMs whose calls run ahead of their customers (the accuracy table has someone to find); the rest call it straight
OPTIMISTS = frozenset({"Tom Becker", "Lucas Martin", "James O'Connor", "김민준"})
CALL_DAYS = (84, 56, 28, 7)  # the weekly forecast calls the history keeps, in days before the close date
CALLS = {  # (optimistic, renews) -> the call at each of CALL_DAYS
    (False, True): ("Best Case", "Commit", "Commit", "Commit"),
    (False, False): ("Best Case", "Pipeline", "Omitted", "Omitted"),
    (True, True): ("Commit", "Commit", "Commit", "Commit"),
    (True, False): ("Commit", "Commit", "Best Case", "Best Case"),
}


def _opportunity_history_table(c: _Company, opportunities: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """opportunity_history.csv: each renewal's forecast call as it changed over the weeks before its close date.

    A renewal renews when it was won (closed) or, still open, when its current call is Commit or Best Case; a
    reliable CSM's calls settle on Commit for renewals that renew and on Omitted for those that do not, an
    optimist's stay at Commit or Best Case either way; one call in seven is a step off.
    """
    rng = np.random.default_rng(8)
    csm = dict(zip(accounts["account_id"], accounts["csm_owner"], strict=True))
    rows = []
    ladder = ("Omitted", "Pipeline", "Best Case", "Commit")
    for opp in opportunities.iter_rows(named=True):
        renews = opp["is_won"] if opp["is_closed"] else opp["forecast_category"] in ("Commit", "Best Case")
        calls = CALLS[(csm.get(opp["account_id"]) in OPTIMISTS, bool(renews))]
        for days, call in zip(CALL_DAYS, calls, strict=True):
            changed = opp["close_date"] - dt.timedelta(days=days)
            if changed <= opp["created_date"] or changed >= c.end_date:
                continue
            if rng.random() < 1 / 7:
                call = ladder[int(np.clip(ladder.index(call) + rng.choice((-1, 1)), 0, 3))]
            rows.append({"opportunity_id": opp["opportunity_id"],
                         "changed_at": dt.datetime.combine(changed, dt.time(10)), "stage": STAGES[call],
                         "forecast_category": call, "probability": float(CATEGORY_PROBABILITY[call]),
                         "amount": opp["amount"], "close_date": opp["close_date"]})
    return pl.DataFrame(rows, schema={"opportunity_id": pl.String, "changed_at": pl.Datetime("us"),
                                      "stage": pl.String, "forecast_category": pl.String,
                                      "probability": pl.Float64, "amount": pl.Float64, "close_date": pl.Date})


def _team_table() -> pl.DataFrame:
    """team.csv: each CSM's manager and team, and the managers themselves."""
    rows = [{"owner": owner, "manager": TEAMS[segment][1], "team": TEAMS[segment][0],
             "email": f"{owner.lower().replace(' ', '.')}@example.com" if owner.isascii() else None}
            for segment, owners in CSMS.items() for owner in owners]
    rows += [{"owner": manager, "manager": None, "team": team, "email": f"{manager.split()[0].lower()}@example.com"}
             for team, manager in TEAMS.values()]
    return pl.DataFrame(rows)


def _targets_table(end: dt.date) -> pl.DataFrame:
    """targets.csv: the plan for the quarter before the data's end, its own and the next (calendar fiscal year)."""
    quarter_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    labels = []
    for step in (-3, 0, 3):
        day = dates.add_months(quarter_start, step)
        labels.append(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    rows = []
    for label in labels:
        for segment, grr in PLAN_GRR.items():
            rows.append({"quarter": label, "segment": segment, "team": None, "target_grr": grr})
        for segment, (team, _) in TEAMS.items():
            rows.append({"quarter": label, "segment": None, "team": team, "target_grr": PLAN_GRR[segment]})
    return pl.DataFrame(rows, schema={"quarter": pl.String, "segment": pl.String, "team": pl.String,
                                      "target_grr": pl.Float64})


def _fx_table(c: _Company) -> pl.DataFrame:
    first = c.start.astype("datetime64[M]") - np.timedelta64(12, "M")
    months = (first + np.arange(c.horizon + 13)).astype("datetime64[D]")
    return pl.concat([pl.DataFrame({"currency": cur, "month": months, "rate": np.round(series, 8)})
                      for cur, series in c.fx.items() if cur != "USD"])


def write_exports(folder: Path, accounts: int = 2000, seed: int = 42, years: int = 3, events: int | None = None,
                  end: dt.date = DEMO_END, events_per_user_day: float = 1.0) -> tuple[int, int, int]:
    """Simulate the company and write its export files into ``folder``; ``events_per_user_day`` is the mean
    burst of events each user logs on a feature on a day they use it (1: the sparse worst case)."""
    company = _Company(accounts, seed, years, end)
    company.simulate()
    folder.mkdir(parents=True, exist_ok=True)
    subscriptions = _subscriptions_table(company)
    opportunities = _opportunities_table(company, subscriptions)
    account_rows = _accounts_table(company)
    account_rows.write_csv(folder / "accounts.csv")
    subscriptions.write_csv(folder / "subscriptions.csv")
    opportunities.drop("currency").write_csv(folder / "renewal_opportunities.csv")
    _opportunity_history_table(company, opportunities, account_rows).write_csv(folder / "opportunity_history.csv")
    _tickets_table(company).write_csv(folder / "tickets.csv")
    _surveys_table(company).write_csv(folder / "surveys.csv")
    _activities_table(company).write_csv(folder / "activities.csv")
    _fx_table(company).write_csv(folder / "fx_rates.csv")
    _team_table().write_csv(folder / "team.csv")
    _targets_table(end).write_csv(folder / "targets.csv")
    n_events = write_usage_events(company, events if events is not None else accounts * 1000,
                                  folder / "usage_events.parquet", events_per_user_day)
    return accounts, subscriptions.height, n_events


DEMO_MARKER = ".renewal_radar_demo"


def _clear_export_folder(folder: Path) -> None:
    """Empty a folder of earlier demo exports; refuse a folder holding anything else (it may be real exports)."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise FileExistsError(f"{folder} is not empty and holds no earlier demo exports; pick an empty folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARKER).write_text("written by `python -m renewal_radar demo`; replaced at each run\n")


def build_demo(db_path: Path, accounts: int = 2000, seed: int = 42, years: int = 3, events: int | None = None,
               folder: Path | None = None, progress=None, events_per_user_day: float = 1.0) -> DemoSummary:
    """Write the demo exports and import them into ``db_path`` through the normal import path."""
    from renewal_radar.ingest import import_folder

    started = time.perf_counter()
    folder = folder or db_path.parent / "demo_exports"
    _clear_export_folder(folder)
    n_accounts, n_lines, n_events = write_exports(folder, accounts, seed, years, events,
                                                  events_per_user_day=events_per_user_day)
    result = import_folder(folder, db_path, as_of=DEMO_END, today=max(DEMO_END, dt.date.today()),
                           **({"progress": progress} if progress else {}))
    if not result.loaded:
        raise RuntimeError("demo import failed: " + "; ".join(str(m) for m in result.report.errors[:3]))
    return DemoSummary(n_accounts, n_lines, n_events, time.perf_counter() - started, folder)
