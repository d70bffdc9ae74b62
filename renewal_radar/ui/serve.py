"""Start the app: ``python -m renewal_radar.ui.serve [streamlit run options]`` (what ``make run`` and ``make serve``
call). Every module the scripts import is imported here, in the main thread, before the server starts and any
session's script runs (:mod:`renewal_radar.preload`); the page Streamlit serves learns the server's base address
(:class:`BaseUrlOnDeepLinks`); then Streamlit's own command line runs ``app.py`` in this process, with the options
given."""

from __future__ import annotations

import sys

from renewal_radar import preload
from renewal_radar.settings import REPO_ROOT


class BaseUrlOnDeepLinks:
    """ASGI middleware writing the server's base address into the page Streamlit serves (``window.__streamlit``).

    Opened at a deep link (``/at_risk``), Streamlit's frontend guesses where the server lives by probing
    ``/at_risk/_stcore/health`` first, a request the browser logs as a failed 404 before it tries ``/_stcore``
    (streamlit/streamlit#7074). Told the base address, it asks the right place once."""

    def __init__(self, app, base_path: str = "") -> None:
        self.app = app
        base = f"/{base_path.strip('/')}" if base_path.strip("/") else ""
        self.script = (f'<script>window.__streamlit = {{BACKEND_BASE_URL: window.location.origin + "{base}/"}};'
                       "</script>").encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        held: dict = {}

        async def write(message) -> None:
            if message["type"] == "http.response.start" and _is_plain_html(message["headers"]):
                held.update(start=message, body=b"")  # the page: held until its body is complete
            elif message["type"] == "http.response.body" and held:
                held["body"] += message.get("body", b"")
                if not message.get("more_body"):
                    await self._send_page(held["start"], held["body"], send)
            else:
                await send(message)

        await self.app(scope, receive, write)

    async def _send_page(self, start: dict, body: bytes, send) -> None:
        page = body.replace(b"<head>", b"<head>" + self.script, 1)
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
        await send({"type": "http.response.body", "body": page})


def _is_plain_html(headers) -> bool:
    found = {key.lower(): value for key, value in headers}
    return found.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in found


def _with_base_url_middleware() -> None:
    """Add :class:`BaseUrlOnDeepLinks` innermost in Streamlit's own middleware (it sees the page uncompressed)."""
    from starlette.middleware import Middleware
    from streamlit import config
    from streamlit.web.server.starlette import starlette_app

    streamlit_middleware = starlette_app.create_streamlit_middleware

    def middleware() -> list:
        return [*streamlit_middleware(),
                Middleware(BaseUrlOnDeepLinks, base_path=config.get_option("server.baseUrlPath") or "")]

    starlette_app.create_streamlit_middleware = middleware


def main(options: list[str]) -> None:
    """Import every module the scripts use, then ``streamlit run app.py OPTIONS`` in this process."""
    preload.import_all()
    from streamlit.web import cli

    _with_base_url_middleware()

    sys.argv = ["streamlit", "run", str(REPO_ROOT / "app.py"), *options]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
