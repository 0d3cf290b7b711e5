"""`checker serve` over real HTTP, no browser: headers, cross-site guards, persistence."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.errors import ConfigError
from checker.review import ReviewStore, load_report
from checker.serve import ReviewServer, is_local

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("run")
    assert main(["check", str(SEEDS), "--run", str(run), "--extractor", "rules", "-q"]) == 1
    return run


@pytest.fixture
def server(seed_run: Path) -> Iterator[ReviewServer]:
    srv = ReviewServer(seed_run, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()
    for flag_id in ReviewStore(seed_run).decisions():
        ReviewStore(seed_run).reopen(flag_id)


def request(
    srv: ReviewServer,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    port = srv.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"Host": f"127.0.0.1:{port}"}
    if body is not None:
        sent |= {"Content-Type": "application/json", "X-Checker-Token": srv.token}
        sent["Origin"] = f"http://127.0.0.1:{port}"
    sent |= headers or {}
    conn.request(method, path, json.dumps(body) if body is not None else None, sent)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def first_id(run: Path) -> str:
    return load_report(run).flags[0].id


def test_page_has_a_strict_csp_header_and_the_token(server: ReviewServer) -> None:
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "connect-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert f'content="{server.token}"' in body.decode()


def test_a_decision_is_saved_and_shown_on_the_next_load(
    server: ReviewServer, seed_run: Path
) -> None:
    flag_id = first_id(seed_run)
    body = {"flag_id": flag_id, "action": "dismissed", "note": "<b>fine</b>"}
    status, _, data = request(server, "POST", "/api/review", body)
    assert status == 200, data
    assert json.loads(data) == {"id": flag_id, "review": "dismissed", "note": "<b>fine</b>"}
    assert ReviewStore(seed_run).decisions()[flag_id].note == "<b>fine</b>"
    page = request(server, "GET", "/")[2].decode()
    assert 'data-status="dismissed"' in page and "Note: &lt;b&gt;fine&lt;/b&gt;" in page
    status, _, data = request(server, "POST", "/api/review", {**body, "action": "reopen"})
    assert status == 200 and json.loads(data)["review"] in ("new", "unchanged")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Checker-Token": ""}, 403),
        ({"X-Checker-Token": "guess"}, 403),
        ({"Origin": "http://evil.example"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Host": "evil.example:80"}, 421),
    ],
)
def test_cross_site_and_rebinding_posts_are_refused(
    server: ReviewServer, seed_run: Path, headers: dict[str, str], expected: int
) -> None:
    body = {"flag_id": first_id(seed_run), "action": "dismissed", "note": ""}
    status, _, _ = request(server, "POST", "/api/review", body, headers)
    assert status == expected
    assert ReviewStore(seed_run).decisions() == {}


def test_bad_requests_get_clear_errors(server: ReviewServer, seed_run: Path) -> None:
    assert request(server, "GET", "/", headers={"Host": "attacker.test"})[0] == 421
    assert request(server, "GET", "/nope")[0] == 404
    bad = {"flag_id": "0000", "action": "dismissed", "note": ""}
    status, _, data = request(server, "POST", "/api/review", bad)
    assert status == 400 and "no flag" in json.loads(data)["error"]
    prefix = {"flag_id": first_id(seed_run)[:6], "action": "dismissed", "note": ""}
    assert request(server, "POST", "/api/review", prefix)[0] == 400  # full ids only
    wrong = {"flag_id": first_id(seed_run), "action": "delete", "note": ""}
    assert request(server, "POST", "/api/review", wrong)[0] == 400


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_a_non_local_address_is_refused_without_allow_remote(seed_run: Path, host: str) -> None:
    assert not is_local(host)
    with pytest.raises(ConfigError, match="--allow-remote"):
        ReviewServer(seed_run, host, 0)


def test_local_names_are_local() -> None:
    assert all(is_local(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))


def test_cli_serve_refuses_remote_and_missing_runs(
    seed_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(seed_run), "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert main(["serve", str(tmp_path / "none"), "--port", "0"]) == 2
    assert "no report here" in capsys.readouterr().err


def test_one_command_starts_the_server(seed_run: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker.cli", "serve", str(seed_run), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "http://127.0.0.1:" in line
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.status == 200 and b"checker report" in resp.read()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
