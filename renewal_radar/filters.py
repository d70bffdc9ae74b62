"""The shared account filters (sidebar and command line) and their SQL parameters."""

from __future__ import annotations

from dataclasses import dataclass

from renewal_radar import sql


@dataclass(frozen=True)
class Filters:
    """Which accounts a figure covers; an empty tuple means all."""

    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    bill_periods: tuple[int, ...] = ()

    def params(self) -> dict:
        """Bound parameters for ``filtered_accounts($segments, $regions, $owners, $bill_periods)``."""
        return {
            "segments": list(self.segments) or None,
            "regions": list(self.regions) or None,
            "owners": list(self.owners) or None,
            "bill_periods": [int(p) for p in self.bill_periods] or None,
        }

    @property
    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.segments or self.regions or self.owners or self.bill_periods)


ALL = Filters()


FILTER_COLUMNS = ("segment", "region", "csm_owner", "bill_period_months")


def options(con) -> dict[str, list]:
    """The values each sidebar filter offers, from the loaded accounts."""
    frame = sql.run(con, "lookups/filter_options")
    found = {name: frame.filter(frame["filter"] == name)["value"].to_list() for name in FILTER_COLUMNS}
    found["bill_period_months"] = sorted(int(v) for v in found["bill_period_months"])
    return found
