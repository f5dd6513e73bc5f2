"""Deterministic synthetic news about defence pacts, for corpora of any size."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

COUNTRIES = (
    "Japan, the United Kingdom, Australia, the Philippines, the United States, India, France, Italy, "
    "Germany, Canada, South Korea, Vietnam, Indonesia, Poland, Finland, Sweden, Norway, Spain, Brazil, "
    "Turkey, Singapore, Malaysia, Thailand, New Zealand, the Netherlands"
).split(", ")
KINDS = ("defence pact", "reciprocal access agreement", "security treaty", "logistics deal", "strategic partnership")
CITIES = ("Tokyo", "London", "Canberra", "Manila", "Washington", "New Delhi", "Paris", "Rome", "Berlin", "Ottawa")
MONTHS = ("January", "March", "May", "July", "September", "November")
SENTENCES = (
    "{a} and {b} signed a {kind} in {city} on {day}, officials said.",
    "The {kind} between {a} and {b} will allow joint exercises and simpler logistics.",
    "Talks between {a} and {b} on a {kind} are expected to resume in {month}.",
    "Analysts said the {kind} showed how far {a} had moved on security co-operation.",
    "{a} is considering a similar {kind} with {b}, according to people familiar with the talks.",
    "Parliament in {a} must ratify the {kind} before it takes effect.",
    "A spokesperson for {b} declined to comment on the {kind}.",
    "The ministers of {a} and {b} met in {city} to discuss maritime patrols.",
    "Officials from {a} said the agreement would be signed by {month}.",
    "Trade between {a} and {b} grew last year, separate figures showed.",
)
PARAGRAPHS_PER_ARTICLE = 20


def paragraph(rng: random.Random) -> str:
    a, b = rng.sample(COUNTRIES, 2)
    fill = {
        "a": a,
        "b": b,
        "kind": rng.choice(KINDS),
        "city": rng.choice(CITIES),
        "day": f"{rng.randint(1, 28)} {rng.choice(MONTHS)}",
        "month": rng.choice(MONTHS),
    }
    text = " ".join(rng.choice(SENTENCES).format(**fill) for _ in range(rng.choice((1, 1, 2, 3))))
    return text[0].upper() + text[1:]


def article(number: int, rng: random.Random, paragraphs: int = PARAGRAPHS_PER_ARTICLE) -> str:
    date = dt.date(2020, 1, 1) + dt.timedelta(days=number % 2000)
    body = "\n".join(paragraph(rng) for _ in range(paragraphs))
    return f'---\ntitle: "Synthetic pact report {number}"\npublisher: "Bench Wire"\npublished: {date}\n---\n{body}\n'


def write_corpus(folder: Path, passages: int, knowledge: Path, seed: int = 7) -> None:
    """About `passages` passages of synthetic articles, plus the real seed article and glossary."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in knowledge.iterdir():
        shutil.copyfile(path, folder / path.name)
    rng = random.Random(seed)
    for number in range(max(passages // PARAGRAPHS_PER_ARTICLE, 1)):
        (folder / f"synthetic-{number:06d}.md").write_text(article(number, rng), encoding="utf-8")


def questions(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    forms = (
        "When did {a} and {b} sign the {kind}?",
        "What did officials say about the {kind} between {a} and {b}?",
        "Is {a} considering a {kind} with {b}?",
        "Where did the ministers of {a} and {b} meet?",
        "Which parliament must ratify the {kind}?",
    )
    return [
        rng.choice(forms).format(a=a, b=b, kind=rng.choice(KINDS))
        for a, b in (rng.sample(COUNTRIES, 2) for _ in range(count))
    ]
