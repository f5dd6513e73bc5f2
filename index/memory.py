"""Handing freed heap memory back to the system."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


def return_freed_memory() -> None:
    """Give the heap pages that are free back to the system (glibc's malloc_trim).

    Loading a version parses every passage and mention from JSON; glibc keeps the pages those
    parses freed, and the process's resident memory keeps counting them (a quarter of a served
    10k-passage index's). Called once per version served: it costs a few milliseconds.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
