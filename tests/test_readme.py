"""The README's commands, run as written on a demo (issue 25: a user copies them first)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Commands that need what a test machine has not got: a Spark cluster and object store, a mail server.
NEEDS_A_CLUSTER = "s3a://"
NEEDS_A_MAIL_SERVER = "--send"


def readme_commands() -> list[str]:
    """Every `python -m renewal_radar …` line of the README's ```sh blocks, comments cut."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if re.match(r"(\.venv/bin/)?python -m renewal_radar ", command):
                commands.append(command)
    return commands


def _run(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    argv = shlex.split(command)
    argv[0] = sys.executable  # the README's python or .venv/bin/python: this interpreter
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def readme_folder(tmp_path_factory) -> tuple[Path, dict]:
    """A folder as the README assumes it: a demo database, its exports in exports/, a mapping file."""
    folder = tmp_path_factory.mktemp("readme")
    env = os.environ | {"RENEWAL_RADAR_DB": str(folder / "demo.duckdb"), "PYTHONPATH": str(ROOT),
                        "RENEWAL_RADAR_ACCESS": str(folder / "access.toml")}
    built = _run(f"python -m renewal_radar demo --accounts 60 --seed 3 --exports {folder / 'exports'}", folder, env)
    assert built.returncode == 0, built.stderr
    (folder / "my-headers.json").write_text(json.dumps({"subscriptions": {"월 금액": "mrr"}}), encoding="utf-8")
    return folder, env


def test_the_readme_names_its_commands():
    commands = readme_commands()
    assert any(" digest " in c and "--dry-run" in c for c in commands)
    assert any(" import exports/" in c for c in commands) and any(" validate " in c for c in commands)


@pytest.mark.parametrize("command", [c for c in readme_commands() if NEEDS_A_CLUSTER not in c])
def test_each_readme_command_runs_on_the_demo(readme_folder, command):
    folder, env = readme_folder
    done = _run(command, folder, env)
    if NEEDS_A_MAIL_SERVER in command:
        # with nobody in access.toml, sending refuses in one line that says how to add a recipient
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "no recipient" in done.stderr and "[roles]" in done.stderr
        return
    assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    if " digest " in command:
        printed = json.loads(done.stdout)  # a dry run without recipients prints the digest itself
        assert printed["owner"] == "Maya Patel" and isinstance(printed["alerts"], list)
