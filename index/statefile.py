"""A small JSON state file in the data folder that several processes share (the bot, `pactbot`
commands, a second bot process): read freely, changed only as a read-modify-write under a file
lock and saved atomically, as `feeds.json` is (index/web/feeds.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

from filelock import FileLock
from pydantic import BaseModel, ValidationError

from index.files import write_atomically

LOCK_TIMEOUT = 30.0  # seconds a writer waits for another; every hold is a file read and write


class StateFileError(ValueError):
    """The state file cannot be read; the message says which and what to do."""


M = TypeVar("M", bound=BaseModel)


class StateFile(Generic[M]):
    """`name` in `data_dir`, holding one `model`; `name` without its suffix names the lock."""

    def __init__(self, data_dir: Path, name: str, model: type[M]) -> None:
        self.data_dir = data_dir
        self.path = data_dir / name
        self.lock_path = data_dir / f"{Path(name).stem}.lock"
        self.model = model

    def load(self) -> M:
        """The saved state; an empty one when there is none yet."""
        try:
            return self.model.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return self.model()
        except ValidationError as exc:
            raise StateFileError(f"{self.path} is damaged ({exc.error_count()} errors); fix or delete it") from None

    @contextmanager
    def edit(self) -> Iterator[M]:
        """The state to change in place, saved atomically on leaving (not when the block raises, nor
        when it changed nothing: pollers watch the file's signature); other writers, in this process
        or another, wait their turn."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(self.lock_path, timeout=LOCK_TIMEOUT, thread_local=False):
            state = self.load()
            before = state.model_dump_json(indent=1)
            yield state
            after = state.model_dump_json(indent=1)
            if after != before or not self.path.exists():
                write_atomically(self.path, after.encode("utf-8"))

    def signature(self) -> tuple[int, int] | None:
        """Changes whenever the file is saved: lets a poller skip reading an unchanged file."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size
