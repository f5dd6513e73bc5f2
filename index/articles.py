"""Reading article files: front matter, strict text checks and numbered paragraphs."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from index.yamlfile import load_yaml, yaml_problem

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".txt")
DEFAULT_MAX_BYTES = 1_000_000
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Control characters other than tab/newline/CR mean a binary or corrupted file, not prose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ArticleError(ValueError):
    """An article file that cannot be indexed; the message says why, for people."""


class ArticleMeta(BaseModel):
    """Optional YAML front matter of an article. Unknown keys are kept out, not fatal."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)

    @field_validator("source", "title", "publisher", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("authors", mode="before")
    @classmethod
    def _one_author_is_a_list(cls, value: object) -> object:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value


class ArticleInfo(BaseModel):
    """What a citation says about an article: its id and bibliographic details."""

    id: str
    title: str
    publisher: str | None = None
    published: dt.date | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)


class Article(ArticleInfo):
    """A validated article: its metadata and its paragraphs, numbered from 1 in source order."""

    path: str
    sha256: str
    paragraphs: list[str]


def article_id(path: Path) -> str:
    """The article's stable id: its file name without the extension."""
    return path.stem


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")  # strict; a leading byte-order mark is tolerated
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not valid UTF-8 (byte {exc.start})") from None
    if _CONTROL.search(text):
        raise ArticleError("binary file (contains control characters)")
    return text


def _split_front_matter(text: str) -> tuple[ArticleMeta, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return ArticleMeta(), text
    try:
        data = load_yaml(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML ({yaml_problem(exc)})") from None
    if not isinstance(data, dict):
        raise ArticleError("front matter must be a mapping of keys to values")
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ArticleError(f"front matter field '{field}': {first['msg']}") from None
    return meta, text[match.end() :]


def split_paragraphs(body: str, markdown: bool) -> list[str]:
    """One paragraph per non-empty line, as in the source feeds; Markdown headings are not prose."""
    paragraphs = []
    for line in body.splitlines():
        text = line.strip()
        if not text or (markdown and text.startswith("#")):
            continue
        paragraphs.append(text)
    return paragraphs


def _default_title(path: Path, body: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def parse_article(path: Path, raw: bytes) -> Article:
    """Validate one article's bytes. Raises ArticleError with the reason when it is unusable."""
    if not _SAFE_ID.match(path.stem):
        raise ArticleError("file name must start with a letter or digit and use only letters, digits, '.', '-', '_'")
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise ArticleError(f"not an article file (expected {' or '.join(ARTICLE_SUFFIXES)})")
    if not raw.strip():
        raise ArticleError("empty file")
    text = _decode(raw)
    meta, body = _split_front_matter(text)
    paragraphs = split_paragraphs(body, markdown=path.suffix.lower() == ".md")
    if not paragraphs:
        raise ArticleError("no paragraphs (the file has front matter or headings only)")
    return Article(
        id=article_id(path),
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        title=meta.title or _default_title(path, body),
        publisher=meta.publisher,
        published=meta.published,
        source=meta.source,
        authors=meta.authors,
        paragraphs=paragraphs,
    )


def read_article(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read and validate an article file; the size is checked before anything is read."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ArticleError(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    return parse_article(path, path.read_bytes())


class Rejection(BaseModel):
    """A file left out of the index, and why."""

    path: str
    reason: str


def scan_directory(directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Article], list[Rejection]]:
    """Every article in `directory` (not recursive), sorted by file name, plus the files rejected."""
    articles: list[Article] = []
    rejected: list[Rejection] = []
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        try:
            article = read_article(path, max_bytes)
            if article.id in seen_ids:
                raise ArticleError(f"another file already has the id '{article.id}' ({seen_ids[article.id]})")
            if article.sha256 in seen_hashes:
                raise ArticleError(f"same content as {seen_hashes[article.sha256]}")
        except (ArticleError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ArticleError) else f"cannot be read ({exc.strerror})"
            log.warning("rejected %s: %s", path, reason)
            rejected.append(Rejection(path=str(path), reason=reason))
            continue
        seen_ids[article.id] = path.name
        seen_hashes[article.sha256] = path.name
        articles.append(article)
    return articles, rejected
