"""The pact events of an index update: the agreements of the version before, read back, compared
with the new version's (index/pacts/pact_events.py) and recorded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.ingest.articles import ArticleEntry
from index.pacts.agreements import MENTION_JSON, AgreementMention
from index.pacts.pact_events import PactEvent, detect, record
from index.storage.store import AGREEMENTS, MANIFEST, IndexData, Manifest, versions_dir

log = logging.getLogger(__name__)


def _checksums(entries: Sequence[ArticleEntry]) -> dict[str, tuple[str, str]]:
    return {a.id: (a.sha256, a.text_sha256) for a in entries}


def _read_version(path: Path) -> tuple[list[AgreementMention], dict[str, tuple[str, str]]]:
    manifest = Manifest.model_validate_json((path / MANIFEST).read_bytes())
    with (path / AGREEMENTS).open(encoding="utf-8") as lines:
        mentions = [MENTION_JSON.validate_json(line) for line in lines]
    return mentions, _checksums(manifest.articles)


def _before(
    data_dir: Path, previous: IndexData | None, version: str
) -> tuple[list[AgreementMention], dict[str, tuple[str, str]]] | None:
    """The agreements and articles of the version the update started from; None when they cannot
    be known (then no events, rather than every agreement reported again as new)."""
    if previous is not None:
        return previous.agreements, _checksums(previous.manifest.articles)
    # The build started afresh (another embedding model, a damaged version): the version before
    # may still say what it held; a folder with no version before is a first build.
    root = versions_dir(data_dir)
    others = sorted((p.name for p in root.iterdir() if not p.name.startswith(".") and p.name != version), reverse=True)
    if not others:
        return [], {}
    for name in others:
        try:
            return _read_version(root / name)
        except (OSError, ValueError) as exc:
            log.warning("index version %s cannot be read for comparison: %s", name, exc)
    return None


def record_update(
    data_dir: Path, previous: IndexData | None, manifest: Manifest, after: Sequence[AgreementMention]
) -> list[PactEvent]:
    """Record the events of an update that published `manifest` (call it with the build lock
    held, before older versions are pruned). Never raises: the new version is published already,
    and a failure here is logged rather than failing the build."""
    try:
        before = _before(data_dir, previous, manifest.version)
        if before is None:
            log.warning("no pact events for index version %s: the version before cannot be read", manifest.version)
            return record(data_dir, [], manifest.version)
        events = detect(before[0], after, before[1], manifest.articles, manifest.version)
        added = record(data_dir, events, manifest.version)
    except Exception:
        log.exception("could not record the pact events of index version %s", manifest.version)
        return []
    if added:
        log.info("index version %s: %d pact events", manifest.version, len(added))
    return added
