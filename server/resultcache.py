"""A small LRU of answers (and rendered pages), bound to the store generation.

An entry is valid only for the generation that produced it: when the published
generation changes, everything cached before is dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class ResultCache:
    """At most ``max_bytes`` of answers (by their size as given); ``max_bytes`` 0 caches nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, generation: str, key: Hashable) -> Any | None:
        """The value cached for ``key`` under ``generation``, or None."""
        with self._lock:
            entry = self._entries.get(key) if generation == self._generation else None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, generation: str, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes // 4:  # one huge answer must not flush everything else
            return
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._size, self._generation = 0, generation
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def __len__(self) -> int:
        return len(self._entries)
