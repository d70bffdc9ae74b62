"""Start the app: ``python -m renewal_radar.ui.serve [streamlit run options]`` (what ``make run`` and ``make serve``
call). The libraries other libraries import lazily are imported here, in the main thread, before the server
starts and any session's script runs (:mod:`renewal_radar.preload`); then Streamlit's own command line runs
``app.py`` in this process, with the options given."""

from __future__ import annotations

import sys

from renewal_radar import preload
from renewal_radar.settings import REPO_ROOT


def main(options: list[str]) -> None:
    """Import the heavy libraries, then ``streamlit run app.py OPTIONS`` in this process."""
    preload.heavy_libraries()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *options]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
