"""`check --offline`: the pictures decks load from the network (opt-in).

A deck and its local pictures work from a USB stick; a picture given by URL
shows nothing in a room without a network. This says where each one is written:
the chapter's line, or for the pictures between chapters, its line of
interstitials.txt.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..builder import Workshop
from ..links import reference_table, slide_remote_pictures
from ..model import SourceLoc
from ..reader import INTERSTITIALS
from . import Finding
from .load import LoadedDeck

MESSAGE = "picture loaded from the network: offline, the slide shows nothing in its place ({})"


def remote_pictures(workshop: Workshop, loaded: Iterable[LoadedDeck]) -> list[Finding]:
    """One warning per place a remote picture is written, naming the decks that show it."""
    between = _interstitial_lines(workshop)
    found = []
    for deck in loaded:
        if deck.deck is None:
            continue
        table = reference_table(deck.deck.slides)
        for slide in deck.deck.slides:
            for loc, url in slide_remote_pictures(slide, table):
                if slide.generated == "picture":  # written in interstitials.txt, not in the chapter
                    loc = between.get(url, SourceLoc(INTERSTITIALS, 0))
                found.append(Finding(loc, "remote-picture", MESSAGE.format(url), "warning", (deck.path,)))
    return found


def _interstitial_lines(workshop: Workshop) -> dict[str, SourceLoc]:
    """Where each picture of interstitials.txt is listed (its first line)."""
    lines: dict[str, SourceLoc] = {}
    for loc, url in workshop.interstitials:
        lines.setdefault(url, loc)
    return lines
