"""`packlaw serve`: loopback by default, a warning naming any other address, the write token.

The server is the real command in a child process, on a free loopback port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from web_support import STORY_NAME, free_port, store_story

from packlaw.cli.main import main
from packlaw.store import Store


@pytest.fixture
def db(tmp_path: object) -> str:
    url = f"sqlite:///{tmp_path}/packlaw.db"
    with Store(url) as store:
        store_story(store)
    return url


@contextmanager
def serving(*argv: str, token: str | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`packlaw serve ARGV` running; yields the process and the loopback URL it answers on."""
    env = {k: v for k, v in os.environ.items() if k != "PACKLAW_TOKEN"}
    env["PYTHONUNBUFFERED"] = "1"
    if token is not None:
        env["PACKLAW_TOKEN"] = token
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "packlaw.cli.main", "serve", "--port", str(port), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {process.communicate()}")
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    return process.returncode, out, err


def test_serve_listens_on_loopback_and_prints_a_token_that_writes(db: str) -> None:
    with serving("--db", db) as (process, url):
        lines = "being Lydia human"
        denied = httpx.post(f"{url}/api/chronicles/{STORY_NAME}/events", json={"lines": [lines]})
        assert denied.status_code == 401
        assert process.stdout is not None
        printed = [process.stdout.readline() for _ in range(2)]
        token = printed[1].removeprefix("packlaw: write token: ").strip()
        assert printed[0].startswith(f"packlaw: serving {url}/")
        assert len(token) >= 32
        allowed = httpx.post(
            f"{url}/api/chronicles/{STORY_NAME}/events",
            json={"lines": [lines]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert allowed.status_code == 200, allowed.text
        status, _out, err = stop(process)
    assert status == 0 and err.endswith("packlaw: stopped\n")  # Ctrl-C is how a server stops
    assert "warning" not in err
    with Store(db) as store:
        assert store.export(STORY_NAME).endswith(f"{lines}\n")


def test_the_token_can_come_from_the_environment(db: str) -> None:
    with serving("--db", db, token="from-the-environment-0123456789") as (process, url):
        ok = httpx.post(
            f"{url}/api/chronicles/{STORY_NAME}/events",
            json={"lines": ["being Lydia human"]},
            headers={"Authorization": "Bearer from-the-environment-0123456789"},
        )
        assert ok.status_code == 200
        _status, out, _err = stop(process)
    assert "write token from PACKLAW_TOKEN" in out
    assert "from-the-environment-0123456789" not in out


def test_serving_beyond_loopback_warns_naming_the_address(db: str) -> None:
    with serving("--host", "0.0.0.0", "--db", db) as (process, _url):
        _status, _out, err = stop(process)
    warning = [line for line in err.splitlines() if "warning" in line]
    assert len(warning) == 1 and "0.0.0.0" in warning[0], err


def test_a_port_in_use_is_one_sentence_and_exit_2(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["serve", "--port", str(port), "--db", db])
    err = capsys.readouterr().err
    assert status == 2
    assert (
        err.startswith(f"packlaw: cannot listen on 127.0.0.1 port {port}: ")
        and err.count("\n") == 1
    )


def test_a_bad_port_is_refused_as_bad_input(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000", "--db", db]) == 2
    assert "--port" in capsys.readouterr().err


def test_an_in_memory_database_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", str(free_port()), "--db", "sqlite://"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("packlaw: sqlite:// is an in-memory database") and err.count("\n") == 1
