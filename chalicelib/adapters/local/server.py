"""One origin for the API and the web front: `/api/...` goes to the Chalice app through
Chalice's own LocalGateway, `/console/...` is the built staff console (`web/console/dist`, made by
`make console`), everything else the built citizen portal (`web/portal/dist`, `make portal`)."""
from __future__ import annotations

import base64
import gzip
import json
import logging
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import CustomLocalChalice, LocalChalice, LocalGateway, LocalGatewayException

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 12 * 1024 * 1024
# the video mediation join page and its assets (web/meeting.html): plain files, not built
MEDIA_PREFIX = "/media/articles/"
HAND_WRITTEN = frozenset({"meeting.html", "assets/meeting.js", "assets/meeting.css"})
RELAY_PREFIX = "/api/meetings/relay/"  # local WebRTC signalling, served here, not by the app
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


def _error(status: int, code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "Jieyou"
    protocol_version = "HTTP/1.1"
    gateway: LocalGateway
    web_root: Path
    portal_root: Path

    def log_message(self, fmt, *args):  # quiet: one line per API call at debug level
        logger.debug("%s " + fmt, self.address_string(), *args)

    def do_GET(self): self._dispatch()
    def do_HEAD(self): self._dispatch()
    def do_POST(self): self._dispatch()
    def do_PUT(self): self._dispatch()
    def do_PATCH(self): self._dispatch()
    def do_DELETE(self): self._dispatch()
    def do_OPTIONS(self): self._dispatch()

    def _dispatch(self):
        path = urlsplit(self.path).path
        if path.startswith(RELAY_PREFIX) and self.command == "POST":
            self._relay(path[len(RELAY_PREFIX):])
        elif path == "/api" or path.startswith("/api/"):
            self._api()
        elif self.command in ("GET", "HEAD") and (path == "/console" or path.startswith("/console/")):
            self._console(path)
        elif self.command in ("GET", "HEAD") and path.startswith(MEDIA_PREFIX):
            self._media(path)
        elif self.command in ("GET", "HEAD"):
            self._static(path)
        else:
            self._send(405, {"Content-Type": "application/json; charset=utf-8"},
                       _error(405, "method_not_allowed", "不支持的请求方法"))

    def _api(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BYTES:
            self.close_connection = True
            return self._send(413, {"Content-Type": "application/json; charset=utf-8"},
                              _error(413, "payload_too_large", "提交的内容过大"))
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            resp = self.gateway.handle_request(self.command, self.path, headers, body)
        except LocalGatewayException:
            return self._send(404, {"Content-Type": "application/json; charset=utf-8"},
                              _error(404, "no_such_endpoint", "请求的接口不存在"))
        out = resp.get("body") or b""
        if resp.get("isBase64Encoded"):
            out = base64.b64decode(out)
        elif isinstance(out, str):
            out = out.encode("utf-8")
        headers = dict(resp.get("headers") or {})
        for k, values in (resp.get("multiValueHeaders") or {}).items():
            headers[k] = ", ".join(values)
        if out and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"  # what API Gateway's proxy answer defaults to
        self._send(resp["statusCode"], headers, out)

    def _relay(self, action: str):
        """The local media path's signalling (chalicelib/adapters/local/meetings.py): long polls
        hold a thread each, which the threading server affords."""
        from .meetings import relay
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > 256 * 1024:
            self.close_connection = True
            return self._send(413, {"Content-Type": "application/json; charset=utf-8"},
                              _error(413, "payload_too_large", "提交的内容过大"))
        status, body = relay().handle(action, self.rfile.read(length) if length else b"")
        self._send(status, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
                   json.dumps(body, ensure_ascii=False).encode())

    def _static(self, path: str):
        rel = unquote(path).lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        # the built portal, or one of the hand-written pages in web/ (never the sources beside them)
        hashed = rel not in HAND_WRITTEN
        root = self.portal_root if hashed else self.web_root
        target = (root / rel).resolve()
        if root not in target.parents or not target.is_file():
            return self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, "未找到页面".encode())
        if target.suffix == ".html":
            cache = "no-cache"
        elif hashed and target.parent.name == "assets":  # names carry a content hash
            cache = "public, max-age=31536000, immutable"
        else:
            cache = "public, max-age=300"
        self._file(target, cache)

    def _media(self, path: str):
        """What the web distribution serves at /media/* from the media bucket (article pictures)."""
        from .. import evidence
        from ... import settings
        key = unquote(path).lstrip("/")
        store = evidence.EvidenceStore(settings.MEDIA_BUCKET)
        stored = store.head(key) if ".." not in key else None
        if stored is None:
            return self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, "未找到图片".encode())
        body = store.get(key)
        self._send(200, {"Content-Type": stored["contentType"] or "application/octet-stream",
                         "Cache-Control": "public, max-age=86400"}, body)

    def _console(self, path: str):
        """The console uses hash routes, so every page is `/console/` itself; its hashed assets
        never change under a name and are cached for a year, index.html is revalidated."""
        if path == "/console":
            return self._send(301, {"Location": "/console/", "Content-Type": "text/plain; charset=utf-8"}, b"")
        root = self.web_root / "console" / "dist"
        rel = unquote(path)[len("/console/"):] or "index.html"
        target = (root / rel).resolve()
        if not (root / "index.html").is_file():
            return self._send(503, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
                              "工作端尚未构建，请运行 make console (console not built: run make console)".encode())
        if root.resolve() not in target.parents or not target.is_file():
            return self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, "未找到页面".encode())
        hashed = rel.startswith("assets/")
        self._file(target, "public, max-age=31536000, immutable" if hashed else "no-cache")

    def _file(self, target: Path, cache: str):
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self._send(200, {"Content-Type": ctype, "Cache-Control": cache}, target.read_bytes())

    def _send(self, status: int, headers: dict, body: bytes):
        ctype = headers.get("Content-Type", "")
        if (len(body) > 1024 and "gzip" in (self.headers.get("Accept-Encoding") or "")
                and ctype.startswith(_COMPRESSIBLE)):
            body = gzip.compress(body, compresslevel=6)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog of 5 resets connections as soon as a few dozen
    # browsers or test clients connect at once (found by `make soak`).
    request_queue_size = 128


def make_server(app, host: str, port: int, web_root: Path, portal_root: Path | None = None) -> ThreadingHTTPServer:
    """The Chalice app becomes thread-safe the way `chalice local` makes it: its
    current_request is kept per thread."""
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    config = Config.create(chalice_stage="local", app_name="jieyou", lambda_timeout=30)
    handler = type("Handler", (_Handler,), {"gateway": LocalGateway(app, config),
                                            "web_root": web_root.resolve(),
                                            "portal_root": (portal_root or web_root / "portal" / "dist").resolve()})
    return _Server((host, port), handler)
