"""`checker serve RUN`: the editor's report as a local web app that records decisions.

A stdlib ThreadingHTTPServer, bound to loopback unless `allow_remote` is given. Article
text is untrusted, and so is every other page in the editor's browser:

- the page carries a strict Content-Security-Policy header (hashed inline script and
  style, `connect-src 'self'`, no framing);
- a Host header that is not this server's address is refused (DNS rebinding);
- a POST must carry this server's random token (`X-Checker-Token`, read from the page,
  which other origins cannot read), a JSON content type (so a cross-site form cannot
  send it), and, when the browser sends them, a same-origin `Origin` and `Sec-Fetch-Site`.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from checker.errors import CheckerError, ConfigError
from checker.html import render_html
from checker.html_assets import content_security_policy
from checker.review import NOTE_LIMIT, ReviewStore, current_report, find_flag, load_articles
from checker.store import run_notice

_MAX_BODY = 16_384
_LOCAL_NAMES = ("localhost",)


def is_local(host: str) -> bool:
    """True for loopback addresses and 'localhost'."""
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ReviewServer(ThreadingHTTPServer):
    """Serves one run directory; `token` guards every write."""

    daemon_threads = True

    def __init__(
        self,
        run_dir: str | os.PathLike[str],
        host: str = "127.0.0.1",
        port: int = 8421,
        *,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_local(host):
            raise ConfigError(
                f"refusing to listen on {host}: the review app has no login, so it only "
                "listens on this machine; pass --allow-remote to expose it on purpose"
            )
        self.run_dir = Path(run_dir)
        current_report(self.run_dir)  # fail now, with a message, if the run has no report
        self.token = secrets.token_urlsafe(32)
        self.allow_remote = allow_remote
        self.lock = threading.Lock()
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def allowed_hosts(self) -> set[str]:
        port = self.server_address[1]
        host = str(self.server_address[0])
        names = {"127.0.0.1", "localhost", "[::1]", host, f"[{host}]"}
        return {f"{n}:{port}" for n in names}


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "checker"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet by default; errors reach the editor in the page

    # -- guards -------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        return self.server.allow_remote or host in self.server.allowed_hosts()

    def _same_origin(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host', '')}":
            return False
        site = self.headers.get("Sec-Fetch-Site")
        return site is None or site == "same-origin"

    def _token_ok(self) -> bool:
        given = self.headers.get("X-Checker-Token", "")
        return hmac.compare_digest(given.encode(), self.server.token.encode())

    # -- responses ----------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(
            "Content-Security-Policy",
            content_security_policy(serve=True) + "; frame-ancestors 'none'",
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json(status, {"error": message})

    # -- routes -------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST, "unexpected Host header")
            return
        path = self.path.split("?", 1)[0]
        try:
            if path in ("/", "/index.html"):
                report = current_report(self.server.run_dir)
                articles, extractions = load_articles(self.server.run_dir)
                page = render_html(
                    report,
                    articles=articles,
                    extractions=extractions,
                    serve_token=self.server.token,
                    run_label=str(self.server.run_dir),
                    run_note=run_notice(self.server.run_dir),
                )
                self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
            elif path == "/report.json":
                report = current_report(self.server.run_dir)
                body = report.model_dump_json(indent=2).encode()
                self._send(HTTPStatus.OK, body, "application/json; charset=utf-8")
            else:
                self._error(HTTPStatus.NOT_FOUND, "not found")
        except CheckerError as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST, "unexpected Host header")
            return
        if not self._same_origin():
            self._error(HTTPStatus.FORBIDDEN, "cross-site request refused")
            return
        if not self._token_ok():
            self._error(HTTPStatus.FORBIDDEN, "missing or wrong review token; reload the page")
            return
        if self.path.split("?", 1)[0] != "/api/review":
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= _MAX_BODY:
            self._error(HTTPStatus.BAD_REQUEST, "bad body length")
            return
        try:
            data = json.loads(self.rfile.read(length))
            flag_id, action = str(data["flag_id"]), str(data["action"])
            note = str(data.get("note") or "")
        except (ValueError, KeyError, TypeError):
            self._error(HTTPStatus.BAD_REQUEST, "expected JSON {flag_id, action, note}")
            return
        if action not in ("confirmed", "dismissed", "reopen") or len(note) > NOTE_LIMIT:
            self._error(HTTPStatus.BAD_REQUEST, "action must be confirmed, dismissed or reopen")
            return
        try:
            with self.server.lock:
                store = ReviewStore(self.server.run_dir)
                flag = find_flag(current_report(self.server.run_dir), flag_id)
                if flag.id != flag_id:
                    raise ConfigError(f"no flag with id {flag_id!r} in this run")
                if action == "reopen":
                    store.reopen(flag.id)
                else:
                    store.decide(flag, action, note)  # type: ignore[arg-type]
                now = find_flag(current_report(self.server.run_dir), flag.id)
        except CheckerError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._json(HTTPStatus.OK, {"id": now.id, "review": now.review, "note": now.review_note})
