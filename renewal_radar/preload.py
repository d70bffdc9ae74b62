"""Every module the app's scripts import, imported once before sessions run (architecture.md).

Streamlit runs each session's script in its own thread. When two first sessions import the same modules at once,
Python's per-module import locks can leave one of them with a partially initialised module (``AttributeError:
partially initialized module 'pandas' has no attribute 'NaT'``, or ``cannot import name 'charts' from
'renewal_radar'``): plotly's JSON encoder imports pandas on the first chart, Streamlit imports pyarrow on the first
table, and the pages import the package's modules in different orders. ``python -m renewal_radar.ui.serve`` (what
``make run`` and ``make serve`` start) calls :func:`import_all` in the main thread before the server starts, so no
session ever imports anything for the first time. A plain ``streamlit run app.py`` skips it.
"""

from __future__ import annotations

import importlib
import pkgutil

# libraries that other libraries import lazily: pandas (plotly, Streamlit), pyarrow (Streamlit's tables, polars'
# conversions); sklearn: the scoring an import started from the Import page runs
LAZILY_IMPORTED = ("numpy", "pandas", "pyarrow", "polars", "plotly.graph_objects", "plotly.io", "sklearn.linear_model",
                   "sklearn.metrics", "streamlit")
ENTRY_POINTS = ("renewal_radar.__main__", "renewal_radar.ui.serve")


def package_modules() -> list[str]:
    """Every module of the renewal_radar package but its entry points."""
    import renewal_radar

    return [module.name for module in pkgutil.walk_packages(renewal_radar.__path__, "renewal_radar.")
            if module.name not in ENTRY_POINTS]


def import_all() -> None:
    """Import the lazily imported libraries and every module of the package."""
    for name in (*LAZILY_IMPORTED, *package_modules()):
        importlib.import_module(name)
