"""Forecast accuracy on demos of several seeds: the model's backtest error against the naive forecast's.

``python -m bench.accuracy [--accounts N] [--seeds 42 7 2026]`` builds one demo per seed under
``data/bench/`` (through the normal import, which runs the scoring stage), reads the stored 12-month
backtest for the default horizon, and prints per seed the mean absolute error of the weighted forecast
(priced by the method each month start chose) and of the naive forecast (trailing-year gross renewal rate
× ARR due), both as a share of the gross renewed ARR, the same over the latest ten months, the methods
"""

from __future__ import annotations

import argparse
import shutil

import numpy as np

from renewal_radar import book, db, demo, forecast
from renewal_radar.demo import build_demo
from renewal_radar.settings import REPO_ROOT

BENCH_DIR = REPO_ROOT / "data" / "bench"
DEFAULT_SEEDS = (42, 7, 2026)
LAST_MONTHS = 10  # the yardstick: the latest ten month starts


def _random_churn(self, escalations, touch_age, nps):
    """The demo's churn without its causes: every account churns at the same chance (its book's average)."""
    base = np.where(self.term == 1, 0.006, 0.12)
    return np.broadcast_to(base, np.shape(escalations)).astype(float)


def seed_accuracy(accounts: int, seed: int, random_churn: bool = False) -> dict:
    """Build the demo of ``seed`` (with ``random_churn``: churn that no signal predicts) and return its stored
    backtest's headline figures."""
    path = BENCH_DIR / f"accuracy-{accounts}-{seed}{'-random' if random_churn else ''}.duckdb"
    folder = BENCH_DIR / f"accuracy-exports-{accounts}-{seed}"
    path.unlink(missing_ok=True)
    original = demo._Company._churn_probability
    if random_churn:
        demo._Company._churn_probability = _random_churn
    try:
        build_demo(path, accounts=accounts, seed=seed, folder=folder)
    finally:
        demo._Company._churn_probability = original
    shutil.rmtree(folder, ignore_errors=True)
    con = db.connect(path, read_only=True)
    try:
        table, _ = book.forecast_backtest(con)
        methods = [book.method_for(con, day)["method"] for day in table["as_of"]]
    finally:
        con.close()
    wins = int((table["forecast_error"] < table["naive_error"]).sum())
    last = forecast.accuracy(table.tail(LAST_MONTHS))
    return {"seed": seed, **forecast.accuracy(table), "months_model_better": wins,
            "last_error": last["forecast_error"], "last_naive_error": last["naive_error"],
            "methods": ", ".join(f"{m} ×{methods.count(m)}" for m in sorted(set(methods)))}


def main(argv: list[str] | None = None) -> None:
    """Print one row per seed: model error, naive error, bias and months won."""
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--random-churn", action="store_true",
                        help="churn at one chance for every account: no signal for the model to find")
    args = parser.parse_args(argv)
    print("| seed | forecast error | naive error | bias | months better | last 10: forecast | last 10: naive "
          "| methods used |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for seed in args.seeds:
        row = seed_accuracy(args.accounts, seed, args.random_churn)
        print(f"| {row['seed']} | {row['forecast_error']:.2%} | {row['naive_error']:.2%} | {row['bias']:+.2%} "
              f"| {row['months_model_better']} of {row['months']} | {row['last_error']:.2%} "
              f"| {row['last_naive_error']:.2%} | {row['methods']} |", flush=True)


if __name__ == "__main__":
    main()
