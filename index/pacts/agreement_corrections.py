"""Moderators' corrections to the agreements read (knowledge/agreements.yaml): add an agreement the
articles imply, or remove one read wrongly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from index.pacts.agreements import AGREEMENTS_FILE, AgreementMention, Status
from index.pacts.countries import UnknownCountryError, resolve
from index.yamlfile import load_yaml, yaml_problem

if TYPE_CHECKING:
    pass


class AgreementCorrection(BaseModel):
    """A moderator's fix: add an agreement the articles imply, or remove one read wrongly."""

    model_config = ConfigDict(extra="forbid")

    parties: list[str] = Field(min_length=2)  # country names or codes, as people write them
    name: str = Field(min_length=1)
    status: Status | None = None
    date: dt.date | None = None
    note: str | None = None  # shown in place of a quote
    remove: bool = False


class AgreementCorrections(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agreements: list[AgreementCorrection] = Field(default_factory=list)


def load_corrections(path: Path) -> tuple[list[AgreementCorrection], str | None]:
    """The corrections in `path`, or none and the reason when the file is unusable: a bad file
    is reported, never fatal."""
    if not path.exists():
        return [], None
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        corrections = AgreementCorrections.model_validate(data).agreements
        for c in corrections:
            c.parties = sorted({resolve(p).iso3 for p in c.parties})
    except yaml.YAMLError as exc:
        return [], f"{path.name} was ignored: not valid YAML ({yaml_problem(exc)})"
    except UnicodeDecodeError:
        return [], f"{path.name} was ignored: not UTF-8"
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return [], f"{path.name} was ignored: {where}: {first['msg']}"
    except UnknownCountryError as exc:
        return [], f"{path.name} was ignored: {exc}"
    return corrections, None


def apply_corrections(
    mentions: list[AgreementMention], corrections: Sequence[AgreementCorrection]
) -> list[AgreementMention]:
    removed = {(tuple(c.parties), c.name) for c in corrections if c.remove}
    kept = [m for m in mentions if (tuple(m.parties), m.name) not in removed]
    added = [
        AgreementMention(
            name=c.name,
            parties=c.parties,
            status=c.status,
            date=c.date,
            when=c.date.isoformat() if c.date else None,
            article_id=AGREEMENTS_FILE,
            paragraph=n,
            quote=c.note or f"{c.name}: {c.status or 'status not given'}.",
        )
        for n, c in enumerate(corrections, start=1)
        if not c.remove
    ]
    return kept + added
