"""The shifted-beta-geometric model of retention (Fader & Hardie, "How to Project Customer Retention", 2007):
each customer renews every period with a constant probability 1 − θ, θ ~ Beta(α, β) across customers, so
P(T = 1) = α / (α + β), P(T = t) = P(T = t − 1) · (β + t − 2) / (α + β + t − 1), S(t) = S(t − 1) − P(T = t).
The probabilities, the likelihood and the fit; ``retention_projection`` applies them to the book (metrics.md)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

# log α and log β stay in [−9, 12]: beyond ~160,000 both, the likelihood is flat (customers look alike, the
# curve is a constant renewal rate) and the optimiser would walk to infinity along the ridge
LOG_BOUNDS = ((-9.0, 12.0), (-9.0, 12.0))


def _probabilities(alpha: float, beta: float, periods: int) -> list[float]:
    """P(T = t) for t = 1..periods in plain floats, by the recursion of the spec: the one recursion, which the
    likelihood (called hundreds of times a fit, where numpy's cost per call was most of a fit) reads directly."""
    p = [alpha / (alpha + beta)] if periods else []
    for t in range(2, periods + 1):
        p.append(p[-1] * (beta + t - 2) / (alpha + beta + t - 1))
    return p


def churn_probabilities(alpha: float, beta: float, periods: int) -> np.ndarray:
    """P(T = t) for t = 1..periods (index t − 1), by the recursion of the spec."""
    return np.array(_probabilities(alpha, beta, periods), dtype=float)


def survival(alpha: float, beta: float, periods: int) -> np.ndarray:
    """S(t) for t = 0..periods (S(0) = 1)."""
    return np.concatenate([[1.0], 1.0 - np.cumsum(churn_probabilities(alpha, beta, periods))])


def log_likelihood(alpha: float, beta: float, churned: dict[int, int], survived: dict[int, int]) -> float:
    """Σ n_t · log P(T = t) over churned-after-t counts + Σ m_t · log S(t) over still-active-after-t counts (S as
    ``survival`` sums it, in plain floats)."""
    p = _probabilities(alpha, beta, max([0, *churned, *survived]))
    s = [1.0, *(1.0 - running for running in itertools.accumulate(p))]
    total = sum(n * math.log(p[t - 1]) if p[t - 1] > 0 else -math.inf * n for t, n in churned.items() if n)
    total += sum(n * math.log(s[t]) if s[t] > 0 else -math.inf * n for t, n in survived.items() if n)
    return float(total)


@dataclass(frozen=True)
class Fit:
    """A fitted group: α, β and whether the optimiser converged."""

    alpha: float
    beta: float
    log_likelihood: float
    converged: bool


def fit(churned: dict[int, int], survived: dict[int, int]) -> Fit | None:
    """α, β by maximum likelihood (on log α, log β, so both stay positive); None without a single churn or
    without anyone observed past a period (nothing to learn from)."""
    from scipy.optimize import minimize

    if not any(churned.values()) or not any(n for t, n in {**survived, **churned}.items() if t >= 1):
        return None

    def negative(params: np.ndarray) -> float:
        value = log_likelihood(math.exp(params[0]), math.exp(params[1]), churned, survived)
        return 1e12 if not math.isfinite(value) else -value

    best = None
    for start in ((0.0, 0.0), (0.0, 2.0), (2.0, 4.0)):  # a few starts: the surface is flat along α ≈ β ridges
        result = minimize(negative, np.array(start), method="Nelder-Mead", bounds=LOG_BOUNDS,
                          options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
        if best is None or result.fun < best.fun:
            best = result
    alpha, beta = math.exp(best.x[0]), math.exp(best.x[1])
    return Fit(alpha, beta, -float(best.fun), bool(best.success))
