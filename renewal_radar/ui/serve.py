"""Start the app: ``python -m renewal_radar.ui.serve [streamlit run options]`` (what ``make run`` and ``make serve``
call). Every module the scripts import is imported here, in the main thread, before the server starts and any
session's script runs (:mod:`renewal_radar.preload`); then Streamlit's own command line runs ``app.py`` in this
process, with the options given."""

from __future__ import annotations

import sys

from renewal_radar import preload
from renewal_radar.settings import REPO_ROOT


def main(options: list[str]) -> None:
    """Import every module the scripts use, then ``streamlit run app.py OPTIONS`` in this process."""
    preload.import_all()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *options]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
