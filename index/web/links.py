"""Adding an article by its link: fetch the page safely (index/web/fetch.py), extract the article
with trafilatura (main text without navigation, cookie banners and related-links boxes; title,
date, authors, site name and canonical URL from the meta tags and JSON-LD), write it into the
knowledge folder as an article file with front matter, and index it.

A page already indexed (by its canonical URL) or the same text under another URL is refused
as a duplicate; a page with no article text (a paywall stub, an index page) is refused with
that reason. Nothing already indexed is touched by a refusal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import urldefrag

import yaml
from pydantic import BaseModel

from index.files import write_atomically
from index.ingest.articles import parse_article, text_sha256
from index.service import SearchService
from index.text import counted
from index.web.fetch import FetchError, FetchLimits, fetch

# Less text than this is no article: a paywall teaser, a cookie wall, a section front.
MIN_PARAGRAPHS = 2
MIN_CHARS = 300
_SLUG = re.compile(r"[^a-z0-9]+")


class LinkError(ValueError):
    """A link that was not added; the message says why, in one line."""


class WebArticle(BaseModel):
    title: str
    publisher: str | None
    published: dt.date | None
    source: str  # the canonical URL
    authors: list[str]
    paragraphs: list[str]


class Added(BaseModel):
    """What adding a link did, for the moderator."""

    article_id: str
    file: str
    title: str
    publisher: str | None
    published: dt.date | None
    paragraphs: int
    source: str

    def summary(self) -> str:
        """'japan-uk.md: Japan and UK sign defence pact — Pacific Security Review, 2023-01-11 (4 paragraphs)'."""
        date = self.published.isoformat() if self.published else "undated"
        return (
            f"{self.file}: {self.title} — {self.publisher or 'unknown publisher'}, {date} "
            f"({counted(self.paragraphs, 'paragraph')})"
        )


def _canonical(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def extract_article(html: str, url: str) -> WebArticle:
    """The article on a page, or LinkError when the page holds none."""
    import trafilatura  # 0.5 s to import; only adding a link needs it

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    text = getattr(document, "text", None) or ""
    title = (getattr(document, "title", None) or "").strip()
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p and p != title]
    if len(paragraphs) < MIN_PARAGRAPHS or sum(map(len, paragraphs)) < MIN_CHARS:
        raise LinkError(f"{url} has no article text to add (a paywall, an index page or a page built by script?)")
    published = None
    raw_date = getattr(document, "date", None)
    if raw_date:
        try:
            published = dt.date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            published = None
    author = getattr(document, "author", None) or ""
    return WebArticle(
        title=title or url,
        publisher=getattr(document, "sitename", None) or getattr(document, "hostname", None),
        published=published,
        source=_canonical(getattr(document, "url", None) or url),
        authors=[a.strip() for a in re.split(r";|,| and ", author) if a.strip()],
        paragraphs=paragraphs,
    )


def article_file(article: WebArticle) -> str:
    """The article as a knowledge file: YAML front matter, then one paragraph per line."""
    meta = {
        "title": article.title,
        "publisher": article.publisher,
        "published": article.published,
        "source": article.source,
        "authors": article.authors,
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n" + "\n\n".join(article.paragraphs) + "\n"


def file_name(title: str, taken: set[str]) -> str:
    """A file name from the title ("japan-and-uk-sign-defence-pact.md"), unused in the folder."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = _SLUG.sub("-", ascii_title.lower()).strip("-")[:80].rstrip("-") or "article"
    name, n = f"{stem}.md", 2
    while name in taken:
        name, n = f"{stem}-{n}.md", n + 1
    return name


def add_link(service: SearchService, url: str, limits: FetchLimits | None = None) -> Added:
    """Fetch `url`, add its article to the knowledge folder and index it. Raises LinkError."""
    try:
        page = fetch(url, limits=limits)
    except FetchError as exc:
        raise LinkError(str(exc)) from None
    article = extract_article(page.text(), page.url)
    manifest = service.searcher.data.manifest
    for entry in manifest.articles:
        if entry.source and _canonical(entry.source) in (article.source, _canonical(page.url), _canonical(url)):
            raise LinkError(f"{url} is already indexed as {entry.file}")
    same = manifest.same_text(text_sha256(article.paragraphs))
    if same:
        raise LinkError(f"{url} has the same text as {same}, which is indexed")
    raw = article_file(article).encode("utf-8")
    if len(raw) > service.max_article_bytes:
        raise LinkError(f"the article at {url} is {len(raw):,} bytes, over the {service.max_article_bytes:,} limit")
    knowledge = service.knowledge_dir
    name = file_name(article.title, {p.name for p in knowledge.iterdir()})
    parse_article(Path(name), raw)  # the file must read back as an article before it is saved
    target = knowledge / name
    write_atomically(target, raw)
    report = service.rebuild(show_progress=False)
    rejected = next((r for r in report.rejected if Path(r.path).name == name), None)
    if rejected is not None:
        target.unlink(missing_ok=True)
        raise LinkError(f"{url} was not added: {rejected.reason}")
    return Added(
        article_id=target.stem,
        file=name,
        title=article.title,
        publisher=article.publisher,
        published=article.published,
        paragraphs=len(article.paragraphs),
        source=article.source,
    )
