"""A small live-reload server: serve a folder, watch sources, rebuild, tell open pages.

It knows nothing about decks. A `Site` builds the folder, says which paths to
watch and, after each change, which pages changed and what to tell them. Pages
get an injected client script and listen to a Server-Sent Events stream; the
messages' meaning is between the site and that script.

Why not the livereload package: its protocol can only tell a page to reload,
and a full reload of a 2,600-slide deck costs seconds in the browser; it also
ignores changes for 3 s after a reload, polls every 800 ms and configures the
root logger. The standard library's HTTP server plus an event stream is all
this needs.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import posixpath
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

PREFIX = "/__live__/"
CLIENT_URL = PREFIX + "client.js"
EVENTS_URL = PREFIX + "events"
HEARTBEAT_SECONDS = 15.0

# Reading files (opened / closed-without-writing) must not count as a change, or
# every build would trigger the next one; a folder's own "modified" adds nothing.
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]
IGNORED_PARTS = {".git", "__pycache__", ".hg", ".svn"}
# Files editors write next to the one they save: backups, swap and lock files, the
# temporary file of a safe write. Never a deck's input; seeing them only wakes the
# rebuilder (a failed deck tries again on any change, and vim rewrites its swap file
# every few seconds of typing).
EDITOR_SUFFIXES = (
    "~",  # vim, Emacs, Kate and gedit backups
    "___jb_tmp___", "___jb_old___",  # JetBrains IDEs' safe write
    ".vsctmp",  # VS Code's atomic write
    ".kate-swp",  # Kate's swap file
)
VIM_SWAP = re.compile(r"\..+\.sw[a-p]")  # .name.swp, then .swo, .swn ... when taken
VIM_PROBE, VIM_PROBE_STEP = 4913, 123  # vim writes '4913' to test a folder, then 5036, ...
# A deck's input that vanished is often coming back: an editor renamed it aside and is
# about to put the new text in its place. A rebuild waits this long for it.
VANISHED_GRACE = 0.3


@dataclass
class PageEvent:
    """What to tell the pages showing `page` (a URL path relative to the served folder)."""

    page: str
    data: dict
    changed: bool = False  # the page's file was rewritten: its version goes up
    keep: dict | None = None  # what a page that connects later must hear too (None: as before)
    removed: bool = False  # the page's file is gone for good: its URL answers 404 (until it changes)


class Site(Protocol):
    """What the server needs from whatever it serves."""

    root: Path  # the folder served

    def rebuild(self, changed: set[Path], open_pages: frozenset[str]) -> Iterable[PageEvent]:
        """Bring the folder up to date after `changed` files changed; say what to tell pages.

        `open_pages` are shown in a browser now: worth building first. Events are
        sent as they come, so a page hears of its own rebuild without waiting for others.
        """

    def watched(self) -> Iterable[tuple[Path, bool]]:
        """The folders to watch, each with whether to watch its subfolders."""

    def vanished(self, changed: set[Path]) -> bool:
        """Whether a file a rebuild needs is among `changed` and gone now (worth waiting for)."""


@dataclass
class PageState:
    version: int = 1
    kept: dict = field(default_factory=dict)  # told to each page when it connects
    removed: bool = False
    clients: list[queue.Queue] = field(default_factory=list)


class Debouncer:
    """Collect changed paths and run `action` once they have been quiet for `quiet` seconds.

    A burst (git checkout) keeps extending the wait, up to `longest`. When
    `vanished` says a file the action needs is gone, the wait goes on, up to
    `grace` more, for it to come back: a safe-writing editor renames the file aside
    and only then moves the new text in (JetBrains IDEs take ~50 ms per step), and
    a rebuild in that gap would flash a false "does not exist". Ordinary saves
    never wait for it.
    """

    def __init__(
        self,
        action: Callable[[set[Path], float], None],
        quiet: float,
        longest: float,
        vanished: Callable[[set[Path]], bool] = lambda paths: False,
        grace: float = VANISHED_GRACE,
    ) -> None:
        self.action, self.quiet, self.longest = action, quiet, longest
        self.vanished, self.grace = vanished, grace
        self._paths: set[Path] = set()
        self._first = self._last = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="live-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path]) -> None:
        """Called from the watcher thread: only records, never builds."""
        with self._cond:
            now = time.time()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            self.action(*batch)

    def _next_batch(self) -> tuple[set[Path], float] | None:
        """The changed paths and when the first came, once it is time to act (None: stopped)."""
        with self._cond:
            while not self._paths and not self._stopped:
                self._cond.wait()
            deadline = None
            while not self._stopped:
                self._wait_quiet()
                # Asked under the lock: a few file lookups, while the watcher waits to add.
                if self._stopped or not self.vanished(set(self._paths)):
                    break
                now = time.time()
                deadline = deadline or now + self.grace
                if now >= deadline:
                    break  # really gone: let the action say so
                self._cond.wait(deadline - now)  # woken by the next change, maybe its return
            if self._stopped:
                return None
            paths, first = self._paths, self._first
            self._paths = set()
            return paths, first

    def _wait_quiet(self) -> None:
        while not self._stopped:
            wait = min(self._last + self.quiet, self._first + self.longest) - time.time()
            if wait <= 0:
                return
            self._cond.wait(wait)


def editor_file(path: Path) -> bool:
    """Whether `path` is a backup, swap, lock or temporary file an editor writes beside a file."""
    name = path.name
    if name.endswith(EDITOR_SUFFIXES) or name.startswith((".#", ".goutputstream-")):
        return True  # Emacs' lock link, gedit's temporary file
    if name.startswith("#") and name.endswith("#") and len(name) > 1:
        return True  # Emacs' auto-save file
    if name.isdigit() and int(name) >= VIM_PROBE and (int(name) - VIM_PROBE) % VIM_PROBE_STEP == 0:
        return True
    return VIM_SWAP.fullmatch(name) is not None


class _Handler(FileSystemEventHandler):
    def __init__(self, sink: Callable[[Iterable[Path]], None]) -> None:
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
        found = [Path(os.fsdecode(p)) for p in paths]
        found = [p for p in found if not IGNORED_PARTS.intersection(p.parts) and not editor_file(p)]
        if found:
            self.sink(found)


class LiveServer:
    """Serve `site.root` on host:port; rebuild on changes; push events to open pages."""

    def __init__(
        self,
        site: Site,
        client_script: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        quiet: float = 0.03,
        longest: float = 2.0,
        grace: float = VANISHED_GRACE,
        log: Callable[[str], None] = print,
    ) -> None:
        self.site, self.client_script, self.log = site, client_script, log
        self.pages: dict[str, PageState] = {}
        # Versions start at 1 again in each run: a tab that connected to an earlier
        # run (the command restarted) tells from this id that its page may be stale.
        self.run = secrets.token_hex(8)
        self.lock = threading.RLock()  # a page's file and its version change together
        self.httpd = ThreadingHTTPServer((host, port), _make_request_handler(self))
        self.httpd.daemon_threads = True
        self.debouncer = Debouncer(self._rebuild, quiet, longest, site.vanished, grace)
        self.observer = Observer()
        self.watches: dict[tuple[Path, bool], object] = {}
        self._serving: threading.Thread | None = None
        self.closed = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    # -- life cycle ---------------------------------------------------------

    def start(self) -> None:
        """Watch and serve in background threads."""
        self._sync_watches()
        self.observer.start()
        self.debouncer.start()
        self._serving = threading.Thread(target=self.httpd.serve_forever, name="live-http", daemon=True)
        self._serving.start()

    def stop(self) -> None:
        """Stop watching, end every event stream, close the socket."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.observer.stop()
        self.debouncer.stop()
        with self.lock:
            for state in self.pages.values():
                for client in state.clients:
                    client.put(None)
        if self._serving is not None:  # shutdown() waits for serve_forever, which must have run
            self.httpd.shutdown()
        self.httpd.server_close()
        if self.observer.is_alive():
            self.observer.join(timeout=5)

    # -- watching and rebuilding ---------------------------------------------

    def _sync_watches(self) -> None:
        wanted = {(Path(p), r) for p, r in self.site.watched() if Path(p).is_dir()}
        for key in set(self.watches) - wanted:
            self.observer.unschedule(self.watches.pop(key))  # type: ignore[arg-type]
        for path, recursive in wanted - set(self.watches):
            self.watches[(path, recursive)] = self.observer.schedule(
                _Handler(self.debouncer.add), str(path), recursive=recursive,
                event_filter=WATCHED_EVENTS,
            )

    def _rebuild(self, changed: set[Path], first_seen: float) -> None:
        started = time.time()
        try:
            with self.lock:
                open_pages = frozenset(p for p, state in self.pages.items() if state.clients)
                for event in self.site.rebuild(changed, open_pages):
                    event.data.setdefault("timing", {}).update(
                        {"seen": first_seen, "started": started}
                    )
                    self.publish(event)
            self._sync_watches()
        except Exception as exc:  # noqa: BLE001 - the server must outlive any build bug
            self.log(f"deckwright serve: rebuild failed: {exc!r}")

    def publish(self, event: PageEvent) -> None:
        """Send an event to every open page showing `event.page`."""
        with self.lock:
            state = self.pages.setdefault(event.page, PageState())
            data = dict(event.data, run=self.run)
            if event.removed or event.changed:  # a removed page is back once it is written again
                state.removed = event.removed
            if event.changed:
                data["base"], data["version"] = state.version, state.version + 1
                state.version += 1
            else:
                data.setdefault("version", state.version)
            data.setdefault("timing", {})["sent"] = time.time()
            if event.keep is not None:
                state.kept = dict(event.keep)
            message = json.dumps(data)
            for client in state.clients:
                client.put(message)

    def connect(self, page: str) -> tuple[queue.Queue, str | None]:
        with self.lock:
            state = self.pages.setdefault(page, PageState())
            client: queue.Queue = queue.Queue()
            state.clients.append(client)
            hello = dict(state.kept, version=state.version, replay=True, run=self.run)
            return client, json.dumps(hello)

    def disconnect(self, page: str, client: queue.Queue) -> None:
        with self.lock:
            state = self.pages.get(page)
            if state and client in state.clients:
                state.clients.remove(client)

    # -- files ----------------------------------------------------------------

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names inside the served folder, or None (never outside it)."""
        rel = posixpath.normpath(unquote(url_path)).lstrip("/")
        if rel.startswith("..") or "\0" in rel:
            return None
        root = self.site.root.resolve()
        full = (root / rel).resolve()
        if not full.is_relative_to(root):
            return None
        if full.is_dir() and (full / "index.html").is_file():
            full = full / "index.html"
        return full

    def page_html(self, rel: str, full: Path) -> bytes:
        """An HTML page with the client script injected, consistent with its version."""
        with self.lock:
            return self._inject(rel, full.read_text(encoding="utf-8", errors="replace"))

    def placeholder(self, rel: str, full: Path) -> tuple[HTTPStatus, bytes]:
        """A page not built yet, or removed: the client shows why, and loads it once it builds.

        The request waited for any rebuild under way: if that wrote the page, the page.
        """
        with self.lock:
            if full.is_file():
                return HTTPStatus.OK, self.page_html(rel, full)
            removed = self.pages.setdefault(rel, PageState()).removed
            why = "is no longer served" if removed else "has not built yet"
            text = f"<!DOCTYPE html><html><head><title>{html.escape(rel)}</title></head>"
            text += f"<body><p>{html.escape(rel)} {why}.</p></body></html>\n"
            return (HTTPStatus.NOT_FOUND if removed else HTTPStatus.OK), self._inject(rel, text)

    def _inject(self, rel: str, text: str) -> bytes:
        version = self.pages.setdefault(rel, PageState()).version
        tag = (
            f'<script src="{CLIENT_URL}" data-page="{html.escape(rel)}" '
            f'data-version="{version}" data-run="{self.run}" data-events="{EVENTS_URL}"></script>'
        )
        at = text.lower().find("</head>")
        text = text[:at] + tag + "\n" + text[at:] if at >= 0 else tag + "\n" + text
        return text.encode("utf-8")

    def listing(self) -> bytes:
        with self.lock:  # as a rebuild under way leaves the folder
            pages = sorted(p.name for p in self.site.root.glob("*.html"))
        items = "\n".join(f'<li><a href="{html.escape(quote(p))}">{html.escape(p)}</a></li>' for p in pages)
        return f"<!DOCTYPE html><title>Pages</title><ul>\n{items}\n</ul>\n".encode()


def _make_request_handler(server: LiveServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: the terminal is for problems
            pass

        def do_HEAD(self) -> None:
            self._get(head=True)

        def do_GET(self) -> None:
            self._get(head=False)

        def _get(self, head: bool) -> None:
            parts = urlsplit(self.path)
            if parts.path == CLIENT_URL:
                return self._send(server.client_script.read_bytes(), "text/javascript", head)
            if parts.path == EVENTS_URL:
                return self._events(parse_qs(parts.query).get("page", [""])[0])
            if parts.path == "/" and not (server.site.root / "index.html").is_file():
                return self._send(server.listing(), "text/html; charset=utf-8", head)
            full = server.resolve(parts.path)
            if full is None:
                return self.send_error(HTTPStatus.FORBIDDEN, "outside the served folder")
            if not full.is_file() and parts.path == "/favicon.ico":
                return self._send(b"", "image/x-icon", head)  # browsers ask; say nothing
            if not full.is_file():
                rel = parts.path.lstrip("/")
                if rel in server.pages:  # a page that never built, or was removed: wait for it here
                    status, body = server.placeholder(rel, full)
                    return self._send(body, "text/html; charset=utf-8", head, status)
                return self.send_error(HTTPStatus.NOT_FOUND)
            try:
                if full.suffix == ".html":
                    rel = full.relative_to(server.site.root.resolve()).as_posix()
                    return self._send(server.page_html(rel, full), "text/html; charset=utf-8", head)
                with server.lock:  # a rebuild writing this file finishes first
                    body = full.read_bytes()
            except OSError:  # vanished between the check and the read
                return self.send_error(HTTPStatus.NOT_FOUND)
            kind = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
            self._send(body, kind, head)

        def _send(self, body: bytes, kind: str, head: bool, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _events(self, page: str) -> None:
            client, hello = server.connect(page)
            try:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self._event(hello)
                while not server.closed.is_set():
                    try:
                        message = client.get(timeout=HEARTBEAT_SECONDS)
                    except queue.Empty:
                        self.wfile.write(b": still here\n\n")  # finds closed connections
                        self.wfile.flush()
                        continue
                    if message is None:
                        break
                    self._event(message)
            except OSError:  # the page went away
                pass
            finally:
                server.disconnect(page, client)
                self.close_connection = True

        def _event(self, message: str | None) -> None:
            if message is not None:
                self.wfile.write(f"data: {message}\n\n".encode())
                self.wfile.flush()

    return RequestHandler
