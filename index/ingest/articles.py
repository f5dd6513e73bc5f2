"""Reading article files: front matter, strict text checks and numbered paragraphs."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Collection, Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from index.files import NotTextError, decode_utf8
from index.ingest.credits import credited_authors, is_credit_line
from index.yamlfile import load_yaml, yaml_problem

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".txt")
DEFAULT_MAX_BYTES = 1_000_000
# Front matter may be empty ("---" then "---"): group 1 is then None.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_OPENING = re.compile(r"\A---[ \t]*(?:\r?\n|\Z)")
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

    @field_validator("title", "publisher", mode="before")
    @classmethod
    def _number_is_text(cls, value: object) -> object:
        # YAML reads `title: 1984` as a number; as a title it is the text it was written as.
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("published", mode="before")
    @classmethod
    def _date_of_a_time(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value.date() if isinstance(value, dt.datetime) else value  # a time of day is more than needed

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
    authors: list[str] = Field(default_factory=list)  # the front matter's, then those its credit lines name
    # Lines that credit people ("Reporting by …; Editing by …", "Photo: …"), as written: about
    # the article, not what it reports, so never a paragraph to quote (index/ingest/credits.py).
    credits: list[str] = Field(default_factory=list)


class ArticleEntry(ArticleInfo):
    """What the index remembers of an article: its details and content hash, not its text."""

    file: str
    sha256: str
    text_sha256: str = ""  # empty in versions written before it was kept
    passages: int


class Article(ArticleInfo):
    """A validated article: its metadata and its paragraphs, numbered from 1 in source order.
    Paragraphs are the article's text: headings and credit lines are not among them."""

    path: str
    sha256: str  # of the file: any change to it is a change to the article
    text_sha256: str  # of the paragraphs: the same text is the same article (text_sha256())
    paragraphs: list[str]


def article_id(path: Path) -> str:
    """The article's stable id: its file name without the extension."""
    return path.stem


def _decode(raw: bytes) -> str:
    try:
        return decode_utf8(raw)  # strict; a leading byte-order mark is tolerated
    except NotTextError as exc:
        raise ArticleError(str(exc)) from None


def _split_front_matter(text: str) -> tuple[ArticleMeta, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        if _OPENING.match(text):
            # Read as a body, its keys would become paragraphs and be quoted as the article's text.
            raise ArticleError(
                "front matter opened with '---' on line 1 is never closed: no closing '---' line was found "
                "(add one after the last key, or remove the opening '---')"
            )
        return ArticleMeta(), text
    try:
        data = load_yaml(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML ({yaml_problem(exc)})") from None
    if not isinstance(data, dict):
        raise ArticleError("front matter must be a mapping of keys to values")
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as exc:
        raise ArticleError(f"front matter: {_field_problem(exc)}") from None
    return meta, text[match.end() :]


def _field_problem(exc: ValidationError) -> str:
    """ "published: 2025-13-45 is not a date (write YYYY-MM-DD)", for the person fixing the file."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    value = _shown(first["input"])
    if first["loc"][:1] == ("published",):
        return f"published: {value} is not a date (write YYYY-MM-DD)"
    return f"{field}: {value} is not accepted ({first['msg'][:1].lower()}{first['msg'][1:]})"


def _shown(value: object, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _merged(first: list[str], then: list[str]) -> list[str]:
    """`first`, then the names of `then` it does not have (whatever their letter case)."""
    known = {name.casefold() for name in first}
    return first + [name for name in then if name.casefold() not in known]


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
    lines = split_paragraphs(body, markdown=path.suffix.lower() == ".md")
    credit = [is_credit_line(line) for line in lines]
    paragraphs = [line for line, is_credit in zip(lines, credit, strict=True) if not is_credit]
    credits = [line for line, is_credit in zip(lines, credit, strict=True) if is_credit]
    if not paragraphs:
        raise ArticleError("no paragraphs (the file has front matter, headings or credit lines only)")
    return Article(
        id=article_id(path),
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        text_sha256=text_sha256(paragraphs),
        title=meta.title or _default_title(path, body),
        publisher=meta.publisher,
        published=meta.published,
        source=meta.source,
        authors=_merged(meta.authors, credited_authors(credits)),
        credits=credits,
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


class Scan(BaseModel):
    """What a knowledge folder holds: its articles in name order, the article files rejected
    (with reasons) and the other files it has, which are not read (with reasons)."""

    articles: list[Article] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    ignored: list[Rejection] = Field(default_factory=list)


def text_sha256(paragraphs: list[str]) -> str:
    """What makes two articles the same: their paragraphs, whatever their front matter,
    file name, line endings or spacing."""
    return hashlib.sha256("\n".join(paragraphs).encode()).hexdigest()


def _read(path: Path, max_bytes: int) -> Article:
    try:
        return read_article(path, max_bytes)
    except OSError as exc:
        raise ArticleError(f"cannot be read ({exc.strerror})") from None


def scan_directory(
    directory: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    indexed: Mapping[str, str] | None = None,
    data_files: Collection[str] = (),
) -> Scan:
    """Every article in `directory` (not recursive), plus the files rejected and those ignored.

    Two files with the same text are one article. `indexed` (article id -> text hash) is what
    the index holds: an article already indexed keeps its place and a new copy of it is the
    one refused; otherwise the first in name order wins. `data_files` are the folder's own
    files that are not articles (the glossary), not worth a word.
    """
    indexed = indexed or {}
    scan = Scan()
    readable: list[Article] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name in data_files:
            continue  # hidden files (uploads being written) and the folder's own data files
        if not path.is_file() or path.suffix.lower() not in ARTICLE_SUFFIXES:
            kind = "a folder" if path.is_dir() else f"not {' or '.join(ARTICLE_SUFFIXES)}"
            scan.ignored.append(Rejection(path=str(path), reason=f"not read: {kind}"))
            continue
        try:
            readable.append(_read(path, max_bytes))
        except ArticleError as exc:
            scan.rejected.append(Rejection(path=str(path), reason=str(exc)))
    # Already indexed first, so that a copy cannot push out the article it copies.
    owners: dict[str, str] = {}  # text hash -> file name of the article that has it
    ids: dict[str, str] = {}  # article id -> file name
    kept: list[Article] = []
    for article in sorted(readable, key=lambda a: (indexed.get(a.id) != a.text_sha256, Path(a.path).name)):
        name = Path(article.path).name
        reason = None
        if article.id in ids:
            reason = f"another file already has the id '{article.id}' ({ids[article.id]})"
        elif article.text_sha256 in owners:
            other = owners[article.text_sha256]
            already = " (already indexed)" if indexed.get(Path(other).stem) == article.text_sha256 else ""
            reason = f"same text as {other}{already}"
        if reason is not None:
            scan.rejected.append(Rejection(path=article.path, reason=reason))
            continue
        ids[article.id] = name
        owners[article.text_sha256] = name
        kept.append(article)
    scan.articles = sorted(kept, key=lambda a: Path(a.path).name)
    scan.rejected.sort(key=lambda r: Path(r.path).name)
    for rejection in scan.rejected:
        # Reported by whoever asked for the scan (`pactbot index`, /reindex); a log line would say it twice.
        log.info("rejected %s: %s", rejection.path, rejection.reason)
    return scan
