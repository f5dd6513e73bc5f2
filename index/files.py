"""Files written so that readers see the old content or the new, never half of either; and
their checksums."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def write_atomically(path: Path, raw: bytes) -> None:
    """Write `raw` to a dotfile beside `path` (the indexer skips dotfiles), flush it to disk,
    then rename it over `path`: a crash midway leaves `path` as it was."""
    tmp = path.with_name(f".{path.name}.partial")
    with tmp.open("wb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
