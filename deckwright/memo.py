"""Remembering results for the very same object, without hashing it.

Chapters are parsed once per build process and their slides flow on through the
stages unchanged unless a stage has something to change in them: a rebuild after
one edit meets thousands of slide objects it has seen before. Asking an
`lru_cache` about them hashes and compares their whole text each time; finding
them by identity costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SameObjectMemo(Generic[K, V]):
    """`function(obj)`, remembered for `obj` itself (not for objects equal to it).

    Each entry holds its object, so that the object's id cannot be reused by
    another while the entry is there. Past `limit` entries everything is forgotten.
    """

    def __init__(self, function: Callable[[K], V], limit: int = 1 << 15) -> None:
        self.function = function
        self.limit = limit
        self._seen: dict[int, tuple[K, V]] = {}

    def __call__(self, obj: K) -> V:
        hit = self._seen.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self._seen) >= self.limit:
            self._seen.clear()
        value = self.function(obj)
        self._seen[id(obj)] = (obj, value)
        return value

    def known(self, obj: K) -> V | None:
        """`function(obj)` if remembered for `obj`, else None (not worked out)."""
        hit = self._seen.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None
