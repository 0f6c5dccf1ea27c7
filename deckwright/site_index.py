"""The site's index page: workshops from `index.yaml` (upcoming, self-paced, recorded, past) and the decks built."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from urllib.parse import urlsplit

import jinja2
import yaml

from .errors import DeckwrightError, Problem
from .manifest import Mappings, node_kind, node_loc, parse_yaml
from .model import SourceLoc
from .render import TEMPLATES

INDEX_YAML = "index.yaml"
INDEX_TEMPLATE = "index.html"
ONLINE = frozenset(("www", "online", "streaming", "virtual"))
LINK_FIELDS = ("attend", "slides", "video")
LINK_SCHEMES = frozenset(("http", "https", "mailto"))
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
TEXT_FIELDS = ("title", "city", "country", "event", "speaker", "lang", "attend", "slides", "video", "status")

# Only the languages the corpus uses and a few neighbours; others show their code.
LANGUAGES = {
    "de": "Deutsch", "en": "English", "es": "Español", "fr": "Français",
    "it": "Italiano", "nl": "Nederlands", "pt": "Português", "tr": "Türkçe",
}


@dataclass(frozen=True)
class Workshop:
    """One item of `index.yaml`: a dated workshop, or a self-paced deck (no date)."""

    loc: SourceLoc
    title: str
    begin: datetime.date | None = None
    end: datetime.date | None = None
    city: str = ""
    country: str = ""
    event: str = ""
    speaker: str = ""
    lang: str = ""
    attend: str = ""
    slides: str = ""
    video: str = ""
    status: str = ""

    @property
    def when(self) -> str:
        return date_range(self.begin, self.end) if self.begin else ""

    @property
    def online(self) -> bool:
        return self.country.lower() in ONLINE or self.city.lower() in ONLINE

    @property
    def where(self) -> str:
        if self.online:
            return "Online"
        country = self.country.upper() if len(self.country) == 2 else self.country
        return ", ".join(p for p in (self.city, country) if p)

    @property
    def cancelled(self) -> bool:
        return self.status.lower() in ("cancelled", "canceled")

    @property
    def language(self) -> str:
        return LANGUAGES.get(self.lang.lower(), self.lang) if self.lang.lower() != "en" else ""


@dataclass(frozen=True)
class DeckEntry:
    """A deck of this site, as the index lists it."""

    html: str
    title: str
    slides: int
    minutes: int  # as `deckwright stats` estimates them
    declared: str = ""  # the length the manifest declares (`duration: 1 day`), if any
    single: str = ""  # the single-file version, when built
    zip: str = ""  # the offline bundle holding it

    @property
    def duration(self) -> str:
        return duration(self.minutes)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    workshops: tuple[Workshop, ...]
    by_year: bool = False
    empty: str = ""

    def years(self) -> list[tuple[int, list[Workshop]]]:
        return [(y, list(ws)) for y, ws in groupby(self.workshops, key=lambda w: w.begin.year)]


# ---------- dates and durations ----------

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
DASH = "\u2013"  # en dash: "March 3–5", "March 30 – April 2"


def _day(d: datetime.date, year: bool = True) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}" + (f", {d.year}" if year else "")


def date_range(begin: datetime.date, end: datetime.date | None = None) -> str:
    """A date or a range as people write it: "March 3–5, 2026", "March 30 – April 2, 2026"."""
    if end is None or end == begin:
        return _day(begin)
    if (begin.year, begin.month) == (end.year, end.month):
        return f"{MONTHS[begin.month - 1]} {begin.day}{DASH}{end.day}, {end.year}"
    if begin.year == end.year:
        return f"{_day(begin, year=False)} {DASH} {_day(end)}"
    return f"{_day(begin)} {DASH} {_day(end)}"


def duration(minutes: int) -> str:
    """Whole minutes as people write them: "12 min", "2 h 31 min", "14 h". Not rounded any
    further, so that the index shows the very time `deckwright stats` prints ("0h12")."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


# ---------- reading index.yaml ----------

def _value(node: yaml.Node) -> object:
    """A scalar's value, or a list of at most three scalars' (a date pair, or too long a one).

    Nothing bigger is built: a few lines of YAML aliases stand for billions of items.
    """
    if isinstance(node, yaml.SequenceNode):
        return [_value(n) if isinstance(n, yaml.ScalarNode) else None for n in node.value[:3]]
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except (ValueError, yaml.YAMLError):  # e.g. a timestamp that is no date: 2026-02-30
        return node.value


def _text(value: object) -> str:
    """YAML reads `country: no` (Norway) as false; give back what the author wrote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "no" if value is False else "yes"
    return str(value).strip()


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _written(node: yaml.Node) -> str:
    """A value as the author wrote it (roughly: quotes dropped), for messages; long lists are
    cut short (a few lines of YAML aliases stand for billions of items)."""
    if isinstance(node, yaml.ScalarNode):
        return f"'{node.value}'"
    if isinstance(node, yaml.SequenceNode):
        items = [n.value if isinstance(n, yaml.ScalarNode) else "…" for n in node.value[:3]]
        return "[" + ", ".join(items + ["…"] * (len(node.value) > 3)) + "]"
    return "a mapping"


def _dates(node: yaml.Node, path: str, problems: list[Problem]) -> tuple[datetime.date | None, datetime.date | None]:
    """`date: 2026-03-03` or `date: [2026-03-03, 2026-03-05]`."""
    value = _value(node)
    if value is None:
        return None, None
    pair = value if isinstance(value, list) else [value]
    dates = [_date(v) for v in pair]
    loc = node_loc(path, node)
    if not 1 <= len(pair) <= 2 or None in dates:
        problems.append(Problem(loc, "'date' must be a date (YYYY-MM-DD) or a [begin, end] pair, "
                                f"not {_written(node)}"))
        return None, None
    begin, end = dates[0], dates[-1]
    if end < begin:
        problems.append(Problem(loc, f"'date' ends ({end}) before it begins ({begin})"))
        return None, None
    return begin, end


def _workshop(node: yaml.Node, mappings: Mappings, problems: list[Problem]) -> Workshop | None:
    """The item's workshop; None, with the reason in `problems`, when it is left out."""
    path = mappings.path
    loc = node_loc(path, node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(loc, "each item must be a mapping (title, date, city…)"))
        return None
    errors = len(problems)
    fields: dict[str, object] = {}
    date_node = None
    for key, (_, value_node) in mappings.fields(node).items():
        if key == "date":
            date_node = value_node
        elif key in TEXT_FIELDS and isinstance(value_node, yaml.ScalarNode):
            fields[key] = _text(_value(value_node))
        elif key in TEXT_FIELDS:
            problems.append(Problem(node_loc(path, value_node),
                                    f"'{key}' must be text, not a {node_kind(value_node)}"))
    if len(problems) > errors:  # a key twice, a list for a title: which value was meant?
        return None
    for key in LINK_FIELDS:
        if fields.get(key) and not is_safe_link(str(fields[key])):
            problems.append(Problem(loc, f"'{key}' must be a web link or a path, not '{fields[key]}'", "warning"))
            fields[key] = ""
    if not fields.get("title"):
        problems.append(Problem(loc, "item has no 'title'"))
        return None
    begin, end = _dates(date_node, path, problems) if date_node is not None else (None, None)
    if any(p.is_error for p in problems[errors:]):  # a bad date
        return None
    return Workshop(loc=loc, begin=begin, end=end, **fields)  # type: ignore[arg-type]


def is_safe_link(url: str) -> bool:
    """Whether a link cannot run script: a web or mail link, or a path.

    Read as browsers do: they drop tabs and newlines anywhere and spaces and control
    characters in front before looking for a scheme (`java\tscript:` is `javascript:`).
    """
    cleaned = re.sub(r"^[\x00-\x20]+", "", re.sub(r"[\t\n\r]", "", url))
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


def read_index(text: str, path: str = INDEX_YAML) -> tuple[list[Workshop], list[Problem]]:
    """The workshops of an `index.yaml`, and the problems of the items left out."""
    try:
        root = parse_yaml(path, text)
    except DeckwrightError as exc:
        return [], exc.problems
    if root is None:
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        return [], [Problem(SourceLoc(path, root.start_mark.line + 1), "index.yaml must be a list of workshops")]
    problems: list[Problem] = []
    mappings = Mappings(path, problems)  # shared: an anchor merged into many items is read once
    workshops = [w for node in root.value if (w := _workshop(node, mappings, problems))]
    return workshops, problems


# ---------- sections ----------

def sections(workshops: Sequence[Workshop], today: datetime.date) -> list[Section]:
    """Upcoming (soonest first), self-paced (as listed), recorded and past (latest first).

    A workshop is upcoming until its last day is over; a past one with a video is
    listed as recorded, so that each workshop appears once.
    """
    dated = [w for w in workshops if w.begin]
    upcoming = sorted((w for w in dated if w.end >= today), key=lambda w: (w.begin, w.end))
    gone = sorted((w for w in dated if w.end < today), key=lambda w: (w.begin, w.end), reverse=True)
    return [
        Section("upcoming", "Upcoming workshops", tuple(upcoming),
                empty="No workshop is scheduled at the moment."),
        Section("self-paced", "Self-paced", tuple(w for w in workshops if not w.begin)),
        Section("recorded", "Recorded workshops", tuple(w for w in gone if w.video)),
        Section("past", "Past workshops", tuple(w for w in gone if not w.video), by_year=True),
    ]


def local_deck(url: str) -> str | None:
    """The deck file a `slides` link names on this site, or None for another site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
        return None
    return parts.path


def check_links(workshops: Sequence[Workshop], built: set[str]) -> tuple[list[Workshop], list[Problem]]:
    """Drop `slides` links to decks this site does not have, with a warning for each."""
    kept, problems = [], []
    for w in workshops:
        target = local_deck(w.slides) if w.slides else None
        if target is not None and target not in built:
            problems.append(Problem(w.loc, f"'slides: {w.slides}' names no deck built for this site", "warning"))
            w = Workshop(**{**w.__dict__, "slides": ""})
        kept.append(w)
    return kept, problems


# ---------- the page ----------

@lru_cache(maxsize=2)
def _environment(templates: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def index_html(
    title: str,
    decks: Sequence[DeckEntry],
    workshops: Sequence[Workshop] | None,
    today: datetime.date,
    zips: Sequence[tuple[str, int]] = (),
    chapters: int = 0,
    pace: str = "a minute per slide",
) -> str:
    """The index page; without `workshops` (no index.yaml) it lists only the decks."""
    page = _environment(str(TEMPLATES)).get_template(INDEX_TEMPLATE)
    by_html = {d.html: d for d in decks}
    return page.render(
        title=title,
        today=date_range(today),
        sections=sections(workshops, today) if workshops is not None else [],
        decks=decks,
        deck_for=lambda w: by_html.get(local_deck(w.slides) or ""),
        zips=zips,
        chapters=chapters,
        pace=pace,
        size=file_size,
    )


def file_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"
