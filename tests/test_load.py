"""Safe under load (issue 36): twenty sessions open different pages at once, right after a server start (as `make
run` starts it: renewal_radar.preload imports every module first) and while an import replaces the book. No
exception, no wrong page.

The sessions are websocket clients speaking Streamlit's own protocol (what the browser's app sends: a rerun of
the page asked for), so twenty of them cost the server what twenty tabs cost it, and the suite nothing to draw.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from renewal_radar.ui.navigation import SECTIONS
from tests.conftest import ROOT, streamlit_server

SESSIONS = 20
TITLES = {stem: title for _, entries in SECTIONS for stem, title, _ in entries}
MAIN = 0  # a delta's path starts with its container: 0 the main area, 1 the sidebar


async def open_page(url: str, stem: str) -> tuple[str | None, list[str]]:
    """Open the page ``stem`` as a new session does; its title (the main area's first heading) and the messages
    of any exception it drew, once its script has finished."""
    address = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(address, subprotocols=["streamlit"], max_size=None) as socket:
        ask = BackMsg()
        ask.rerun_script.query_string = ""
        ask.rerun_script.page_name = "" if stem == "overview" else stem
        await socket.send(ask.SerializeToString())
        title, exceptions = None, []
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=300))
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "exception":
                    exceptions.append(element.exception.message)
                elif (element.WhichOneof("type") == "heading" and title is None
                      and message.metadata.delta_path[0] == MAIN):
                    title = element.heading.body
            # a deep link first runs the entrypoint, which switches to the page: that run ends early
            if kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return title, exceptions


async def crowd(url: str, stems: list[str]) -> list[tuple[str | None, list[str]]]:
    """Every session at once."""
    return await asyncio.gather(*(open_page(url, stem) for stem in stems))


def test_twenty_first_loads_after_a_start_and_during_an_import(demo_db, tmp_path):
    database = tmp_path / "live.duckdb"
    shutil.copy(demo_db, database)
    stems = [list(TITLES)[i % len(TITLES)] for i in range(SESSIONS)]
    with streamlit_server(database, tmp_path) as url:
        importing = subprocess.Popen(
            [sys.executable, "-m", "renewal_radar", "import", str(demo_db.parent / "demo_exports"), "--as-of",
             "2026-10-25"], cwd=ROOT, env={**os.environ, "RENEWAL_RADAR_DB": str(database)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = asyncio.run(crowd(url, stems))
        output, _ = importing.communicate(timeout=300)
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert importing.returncode == 0, output
    assert [exceptions for _, exceptions in seen] == [[]] * SESSIONS
    assert [title for title, _ in seen] == [TITLES[stem].removesuffix(" (SQL)") for stem in stems]
    assert "Traceback" not in log and "partially initialized" not in log, log[-2000:]
