"""The command line (shared/spec/cli.md): ``python -m renewal_radar COMMAND ...``.

Every command prints its result to stdout and exits 0, or prints a one-line
reason to stderr and exits non-zero. The figures come from the same readers
the pages call.
"""

from __future__ import annotations

import os
import sys

from renewal_radar import db
from renewal_radar.cli.data_commands import (
    cmd_bench,
    cmd_demo,
    cmd_import,
    cmd_rollup_usage,
    cmd_score,
    cmd_validate,
)
from renewal_radar.cli.digest_command import cmd_digest
from renewal_radar.cli.economics_commands import cmd_committed, cmd_path_to_plan, cmd_uplift
from renewal_radar.cli.output import CliError
from renewal_radar.cli.pack_command import cmd_pack
from renewal_radar.cli.parser import build_parser
from renewal_radar.cli.report_commands import (
    cmd_backtest,
    cmd_cohorts,
    cmd_drivers,
    cmd_forecast,
    cmd_metrics,
    cmd_moved,
    cmd_movements,
    cmd_overview,
    cmd_project_retention,
    cmd_reasons,
    cmd_renewals,
    cmd_risk,
    cmd_snapshots,
    cmd_survival,
)

COMMANDS = {"demo": cmd_demo, "validate": cmd_validate, "import": cmd_import, "metrics": cmd_metrics,
            "movements": cmd_movements, "cohorts": cmd_cohorts, "survival": cmd_survival,
            "renewals": cmd_renewals, "forecast": cmd_forecast, "backtest": cmd_backtest, "risk": cmd_risk,
            "digest": cmd_digest, "bench": cmd_bench, "overview": cmd_overview, "snapshots": cmd_snapshots,
            "moved": cmd_moved, "score": cmd_score, "rollup-usage": cmd_rollup_usage, "drivers": cmd_drivers,
            "project-retention": cmd_project_retention, "reasons": cmd_reasons, "uplift": cmd_uplift,
            "committed": cmd_committed, "path-to-plan": cmd_path_to_plan, "pack": cmd_pack}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0
    except (CliError, ValueError, FileNotFoundError, db.Error) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("RENEWAL_RADAR_DEBUG"):
            raise
        first = (str(exc).splitlines() or [""])[0]
        print(f"error: {args.command} failed ({type(exc).__name__}: {first}); rerun with RENEWAL_RADAR_DEBUG=1 "
              "for the details and report it", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
