"""Adding an article by its link, end to end against the web server on 127.0.0.1."""

from __future__ import annotations

import pytest

from index.ingest.articles import read_article
from index.service import SearchService
from index.web.fetch import FetchLimits
from index.web.links import LinkError, add_link, extract_article, file_name
from tests.web_server import PARAGRAPHS, news_page

LIMITS = FetchLimits(allow_private=True, total_timeout=3.0, read_timeout=2.0, max_bytes=2_000_000)


def test_the_article_is_extracted_without_navigation_banners_or_related_links() -> None:
    article = extract_article(news_page().decode(), "https://psr.example/news/japan-uk-pact?ref=home")
    assert article.title == "Japan and UK sign defence pact"
    assert article.publisher == "Pacific Security Review"
    assert article.published is not None and article.published.isoformat() == "2023-01-11"
    assert all(p in article.paragraphs for p in PARAGRAPHS)
    text = " ".join(article.paragraphs)
    assert "cookies" not in text and "Related stories" not in text and "Privacy" not in text
    assert article.source.startswith("https://psr.example/news/japan-uk-pact")


def test_a_link_becomes_an_indexed_article_with_front_matter(site: str, indexed_service: SearchService) -> None:
    before = len(indexed_service.searcher.data.manifest.articles)
    added = add_link(indexed_service, f"{site}/news/japan-uk-pact", LIMITS)
    assert (added.title, added.publisher, added.paragraphs) == (
        "Japan and UK sign defence pact",
        "Pacific Security Review",
        len(PARAGRAPHS),
    )
    assert added.file == "japan-and-uk-sign-defence-pact.md"
    saved = read_article(indexed_service.knowledge_dir / added.file)
    assert saved.publisher == "Pacific Security Review" and saved.source == f"{site}/news/japan-uk-pact"
    assert saved.paragraphs == PARAGRAPHS and saved.published is not None
    assert len(indexed_service.searcher.data.manifest.articles) == before + 1
    answer = indexed_service.ask("reciprocal access agreement london wednesday japan united kingdom")
    assert any(c.article_id == added.article_id for c in answer.citations)


def test_the_same_page_twice_or_its_text_under_another_link_is_refused(
    site: str, indexed_service: SearchService
) -> None:
    add_link(indexed_service, f"{site}/news/japan-uk-pact", LIMITS)
    versions = indexed_service.searcher.data.manifest.version
    with pytest.raises(LinkError, match=r"already indexed as japan-and-uk-sign-defence-pact\.md"):
        add_link(indexed_service, f"{site}/moved", LIMITS)  # redirects to the same page
    with pytest.raises(LinkError, match=r"has the same text as japan-and-uk-sign-defence-pact\.md"):
        add_link(indexed_service, f"{site}/mirror/japan-uk-pact", LIMITS)
    assert indexed_service.searcher.data.manifest.version == versions  # nothing rebuilt, nothing lost


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/paywall", "no article text"),
        ("/report.pdf", "is not a web page"),
        ("/big", "larger than"),
        ("/loop", "redirects more than 5 times"),
    ],
)
def test_a_refused_link_saves_nothing_and_loses_nothing(
    site: str, indexed_service: SearchService, path: str, message: str
) -> None:
    files = sorted(p.name for p in indexed_service.knowledge_dir.iterdir())
    version = indexed_service.searcher.data.manifest.version
    with pytest.raises(LinkError, match=message):
        add_link(indexed_service, f"{site}{path}", LIMITS)
    assert sorted(p.name for p in indexed_service.knowledge_dir.iterdir()) == files
    assert indexed_service.searcher.data.manifest.version == version


def test_private_links_are_refused_with_the_setting_off(site: str, indexed_service: SearchService) -> None:
    with pytest.raises(LinkError, match="non-public address"):
        add_link(indexed_service, f"{site}/news/japan-uk-pact", FetchLimits())


def test_file_names_come_from_the_title_and_never_overwrite() -> None:
    assert file_name("Café diplomacy: France & Japan sign pact!", set()) == "cafe-diplomacy-france-japan-sign-pact.md"
    assert file_name("Pact", {"pact.md", "pact-2.md"}) == "pact-3.md"
    assert file_name("???", set()) == "article.md"
