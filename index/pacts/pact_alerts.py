"""Alert subscriptions: which channels hear of which pact events, and what was posted where.

A subscription names a channel and a country, an agreement, or both; it hears of the events
recorded from the moment it was added (index/pacts/pact_events.py), not of older ones. `alerts.json`
in the data folder holds the subscriptions and, per channel, the ids of the events posted there:
a poster claims events under the file lock (marks them posted) before it sends them, so the bot,
a restarted bot or a second bot process on the same data folder never posts one twice. A send
that fails for a passing reason gives its claim back, to be tried again; a channel the bot can no
longer post to has its subscriptions paused, once, until a moderator adds them again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from index.glossary import Glossary
from index.pacts.countries import name_of, resolve
from index.pacts.pact_events import PactEvent
from index.statefile import StateFile

ALERTS_FILE = "alerts.json"


class AlertError(ValueError):
    """A subscription that cannot be made or found; the message says why, in one line."""


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


class AgreementNames:
    """What a typed agreement name stands for: itself, and the glossary's and the index's other
    names for it ("RAA" is the Reciprocal Access Agreement)."""

    def __init__(self, glossary: Glossary, acronyms: dict[str, str] | None = None) -> None:
        groups = [entry.phrases() for entry in glossary.terms]
        groups += [[long_form, abbr] for abbr, long_form in (acronyms or {}).items()]
        self._groups = [{_words(p) for p in group} - {""} for group in groups]

    def forms(self, typed: str) -> set[str]:
        key = _words(typed)
        forms = {key} - {""}
        for group in self._groups:
            if key in group:
                forms |= group
        return forms

    def matches(self, typed: str, agreement: str) -> bool:
        """Whether `agreement` is, or contains as whole words, a name `typed` stands for."""
        name = f" {_words(agreement)} "
        return any(f" {form} " in name for form in self.forms(typed))


class Subscription(BaseModel):
    channel_id: int
    guild_id: int | None = None
    country: str | None = None  # ISO3
    agreement: str | None = None  # as typed: matched through AgreementNames
    added_at: dt.datetime  # events recorded before it are not posted to it
    added_by: str | None = None
    paused: str | None = None  # why posting stopped; None while it is active

    def same(self, channel_id: int, country: str | None, agreement: str | None) -> bool:
        typed = _words(agreement) if agreement else None
        return (self.channel_id, self.country, _words(self.agreement) if self.agreement else None) == (
            channel_id,
            country,
            typed,
        )

    def wants(self, event: PactEvent, names: AgreementNames) -> bool:
        return (
            event.recorded >= self.added_at
            and (self.country is None or self.country in event.parties)
            and (self.agreement is None or names.matches(self.agreement, event.agreement))
        )

    def what(self) -> str:
        """'Japan', 'the Reciprocal Access Agreement', 'AUKUS with Australia'."""
        parts = [f"“{self.agreement}”"] if self.agreement else []
        if self.country:
            parts.append(f"with {name_of(self.country)}" if parts else name_of(self.country))
        return " ".join(parts)

    def line(self) -> str:
        state = f" — PAUSED: {self.paused}" if self.paused else ""
        return f"{self.what()} in <#{self.channel_id}> (since {self.added_at:%Y-%m-%d %H:%M} UTC){state}"


class AlertState(BaseModel):
    subscriptions: list[Subscription] = Field(default_factory=list)
    posted: dict[int, list[str]] = Field(default_factory=dict)  # channel id -> ids of events posted (claimed) there


def country_code(typed: str | None) -> str | None:
    """The ISO3 code of a typed country; UnknownCountryError for a name that is no country."""
    return resolve(typed).iso3 if typed and typed.strip() else None


class AlertBook:
    """The subscriptions and the posted log, in `alerts.json` in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.file = StateFile(data_dir, ALERTS_FILE, AlertState)

    def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        subs = self.file.load().subscriptions
        return [s for s in subs if guild_id is None or s.guild_id in (guild_id, None)]

    def add(
        self,
        channel_id: int,
        country: str | None,
        agreement: str | None,
        guild_id: int | None = None,
        added_by: str | None = None,
        now: dt.datetime | None = None,
    ) -> tuple[Subscription, bool]:
        """Subscribe `channel_id` (country as ISO3); adding a paused subscription again resumes it,
        with the events from now on. Returns it and whether it was paused."""
        agreement = " ".join(agreement.split()) if agreement else ""
        agreement = agreement or None
        if country is None and agreement is None:
            raise AlertError("give a country, an agreement, or both")
        now = now or dt.datetime.now(dt.UTC)
        with self.file.edit() as state:
            found = next((s for s in state.subscriptions if s.same(channel_id, country, agreement)), None)
            if found is not None and found.paused is None:
                raise AlertError(f"{found.what()} is already posted in <#{channel_id}>")
            if found is not None:
                found.paused, found.added_at = None, now
                return found, True
            sub = Subscription(
                channel_id=channel_id,
                guild_id=guild_id,
                country=country,
                agreement=agreement,
                added_at=now,
                added_by=added_by,
            )
            state.subscriptions.append(sub)
        return sub, False

    def remove(self, channel_id: int, country: str | None, agreement: str | None) -> Subscription:
        with self.file.edit() as state:
            found = next((s for s in state.subscriptions if s.same(channel_id, country, agreement)), None)
            if found is None:
                here = [s.what() for s in state.subscriptions if s.channel_id == channel_id]
                listed = ", ".join(here) or "none"
                raise AlertError(f"no such alerts in <#{channel_id}> (there: {listed})")
            state.subscriptions.remove(found)
            if not any(s.channel_id == channel_id for s in state.subscriptions):
                state.posted.pop(channel_id, None)  # nothing will be posted there: forget what was
        return found

    def claim(
        self, events: Sequence[PactEvent], names: AgreementNames, resting: Collection[int] = ()
    ) -> dict[int, list[PactEvent]]:
        """The events each channel (but those `resting` after a failure) is to be sent now, marked
        posted before they are sent: what one claim takes, no other claim (in any process) takes again."""
        batches: dict[int, list[PactEvent]] = {}
        if not any(s.paused is None for s in self.file.load().subscriptions):
            return batches  # nothing to claim: the file is not written (and its lock not taken) for nothing
        with self.file.edit() as state:
            for sub in state.subscriptions:
                if sub.paused is not None or sub.channel_id in resting:
                    continue
                posted = set(state.posted.get(sub.channel_id, []))
                batch = batches.setdefault(sub.channel_id, [])
                taken = {e.id for e in batch}
                batch += [e for e in events if e.id not in posted and e.id not in taken and sub.wants(e, names)]
            batches = {channel: batch for channel, batch in batches.items() if batch}
            for channel, batch in batches.items():
                state.posted.setdefault(channel, []).extend(e.id for e in batch)
        return batches

    def unclaim(self, channel_id: int, event_ids: Sequence[str]) -> None:
        """Give back claims whose sending failed, so that a later pass sends them."""
        if not event_ids:
            return
        returned = set(event_ids)
        with self.file.edit() as state:
            state.posted[channel_id] = [i for i in state.posted.get(channel_id, []) if i not in returned]

    def pause(self, channel_id: int, reason: str) -> bool:
        """Pause every subscription of `channel_id`; True when this call paused one (so the loss
        is reported once, by whichever process saw it first)."""
        paused = False
        with self.file.edit() as state:
            for sub in state.subscriptions:
                if sub.channel_id == channel_id and sub.paused is None:
                    sub.paused, paused = reason, True
        return paused

    def signature(self) -> tuple[int, int] | None:
        return self.file.signature()
