"""External links and pictures, checked over HTTP with a cache and a time limit (opt-in)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import DeckwrightError
from ..links import definitions
from ..model import Deck, SourceLoc
from ..reader import Project
from ..writer import OutputDir
from . import Finding
from .text import blank_code

URL = re.compile(
    r"\]\(\s*<?(https?://[^)\s>]+)"  # [text](url) and ![alt](url)
    r"|\b(?:src|href)=[\"'](https?://[^\"']+)[\"']"  # HTML
    r"|url\(\s*[\"']?(https?://[^)\"'\s]+)"  # CSS background
)
USER_AGENT = "deckwright-check (link checker for workshop slides)"
# Servers that refuse HEAD (or robots) often answer GET: ask again with GET for these.
RETRY_WITH_GET = {403, 405, 501}
GONE = {404, 410}


def external_urls(deck: Deck) -> Iterator[tuple[SourceLoc, str]]:
    """(where, URL) of each http(s) link and picture a deck shows, code left out."""
    for slide in deck.slides:
        for step in slide.steps:
            text = step.text
            blanked = blank_code(text)
            for m in URL.finditer(blanked):
                group = next(i for i in (1, 2, 3) if m.group(i))
                url = text[m.start(group) : m.end(group)]
                yield step.locate(m.start()), url
            for start, _, url in definitions(text, blanked):
                if url.startswith(("http://", "https://")):
                    yield step.locate(start), url


@dataclass(frozen=True)
class Answer:
    """What a URL answered: an HTTP status, or why there was none."""

    url: str
    status: int | None
    error: str
    checked: float  # when (seconds since the epoch)

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def ask(url: str, timeout: float) -> Answer:
    """HEAD the URL (GET if the server refuses HEAD); follow redirects."""
    status, error = None, ""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, error = response.status, ""
        except urllib.error.HTTPError as exc:
            status, error = exc.code, str(exc.reason)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            status, error = None, str(getattr(exc, "reason", exc))
        if status not in RETRY_WITH_GET:
            break
    return Answer(url, status, error, time.time())


@dataclass
class Cache:
    """Answers of earlier runs, kept in a JSON file; older than `max_age` seconds, asked again."""

    path: Path
    max_age: float
    answers: dict[str, Answer]

    @classmethod
    def load(cls, path: Path, max_age: float) -> Cache:
        answers: dict[str, Answer] = {}
        try:
            data = json.loads(Project.at(path.parent).read_text(path.name))
            answers = {a["url"]: Answer(**a) for a in data.get("answers", [])}
        except (DeckwrightError, ValueError, TypeError, KeyError, AttributeError):
            pass  # no cache yet, or one we cannot use: start afresh
        return cls(path, max_age, answers)

    def fresh(self, url: str, now: float) -> Answer | None:
        answer = self.answers.get(url)
        return answer if answer and now - answer.checked < self.max_age else None

    def save(self) -> None:
        data = {"answers": [asdict(a) for a in sorted(self.answers.values(), key=lambda a: a.url)]}
        OutputDir(self.path.parent).write_text(self.path.name, json.dumps(data, indent=1) + "\n")


def check_urls(urls: list[str], cache: Cache, timeout: float, time_limit: float, workers: int = 8) -> dict[str, Answer]:
    """Answers for `urls` (from the cache when fresh); those not asked within `time_limit` are missing."""
    now = time.time()
    answers = {u: a for u in urls if (a := cache.fresh(u, now))}
    todo = [u for u in urls if u not in answers]
    if not todo or time_limit <= 0:
        return answers
    deadline = time.monotonic() + time_limit
    pool = ThreadPoolExecutor(max_workers=workers)
    pending = {pool.submit(ask, url, timeout) for url in todo}
    while pending and (left := deadline - time.monotonic()) > 0:
        done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
        for future in done:
            answer = future.result()
            answers[answer.url] = cache.answers[answer.url] = answer
    pool.shutdown(wait=False, cancel_futures=True)
    return answers


def external_findings(places: dict[str, list[SourceLoc]], answers: dict[str, Answer], time_limit: float) -> list[Finding]:
    """A finding at each place of each URL that failed, and one for URLs left unchecked."""
    found = []
    for url, locs in places.items():
        answer = answers.get(url)
        if answer is None or answer.ok:
            continue
        what = f"HTTP {answer.status}" + (f" {answer.error}" if answer.error else "") if answer.status else answer.error
        severity = "error" if answer.status in GONE else "warning"
        for loc in locs:
            found.append(Finding(loc, "external-link", f"{url} does not answer: {what}", severity))
    unchecked = [url for url in places if url not in answers]
    if unchecked:
        first = places[unchecked[0]][0]
        found.append(Finding(first, "external-link",
                             f"{len(unchecked)} external link(s) not checked: the time limit "
                             f"({time_limit:g} s) ran out (the cache keeps what was checked)", "warning"))
    return found
