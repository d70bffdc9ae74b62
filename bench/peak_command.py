"""One command of the CLI with its own peak memory: ``python -m bench.peak_command ARGS…``.

Runs ``python -m renewal_radar ARGS…`` in this process and prints, as the last line of stderr,
``peak_rss_mib=N``: this process's peak resident memory plus its largest child's (Spark's JVM). Neither the
parent's ``RUSAGE_CHILDREN`` nor the child's own ``ru_maxrss`` will do: Linux counts the forking parent's
resident size into a child's high-water mark, so a bench process that has built a 4 GiB book would be
reported for every command it runs.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from renewal_radar.__main__ import main


def peak_mib() -> float:
    """Peak RSS of this process (and its largest child, Spark's JVM) in MiB. This process's own is the high-water
    mark of its memory since exec (``VmHWM``): ``ru_maxrss`` would include the forking parent's."""
    status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    own_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return (own_kib + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


if __name__ == "__main__":
    status = main(sys.argv[1:])
    print(f"peak_rss_mib={peak_mib():.0f}", file=sys.stderr)
    sys.exit(status)
