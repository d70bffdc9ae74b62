"""Libraries that other libraries import lazily, imported once before sessions run (architecture.md).

Plotly's JSON encoder imports pandas on its first chart and Streamlit imports pyarrow on its first table; when
two sessions' script threads make that first import at once, one of them can see a partially initialised module
(``AttributeError: partially initialized module 'pandas' has no attribute 'NaT'``). :func:`heavy_libraries` makes
every such import in one thread, under a lock: ``python -m renewal_radar.ui.serve`` calls it before the server
starts, and ``app.py`` calls it again (a no-op then) for a plain ``streamlit run app.py``.
"""

from __future__ import annotations

import importlib
import threading

# pandas and pyarrow: plotly's and Streamlit's lazy imports; sklearn: the scoring a refresh or an import runs
LAZILY_IMPORTED = ("numpy", "pandas", "pyarrow", "plotly.graph_objects", "plotly.io", "sklearn.linear_model",
                   "sklearn.metrics")

_lock = threading.Lock()
_done = False


def heavy_libraries() -> None:
    """Import every library of :data:`LAZILY_IMPORTED` once; later calls return at once."""
    global _done
    with _lock:
        if _done:
            return
        for name in LAZILY_IMPORTED:
            importlib.import_module(name)
        _done = True
