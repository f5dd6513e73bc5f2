"""Safe fetching against a web server on 127.0.0.1 that serves news pages and hostile ones."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from index.web import fetch as fetching
from index.web.fetch import FEED_TYPES, FetchError, FetchLimits, fetch, public_address
from tests.web_server import PARAGRAPHS

ALLOWED = FetchLimits(allow_private=True, total_timeout=3.0, read_timeout=2.0, max_bytes=2_000_000)


def test_a_news_page_is_fetched_and_decoded(site: str) -> None:
    page = fetch(f"{site}/news/japan-uk-pact", limits=ALLOWED)
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert PARAGRAPHS[0] in page.text()


def test_gzip_is_decompressed_and_redirects_are_followed(site: str) -> None:
    assert PARAGRAPHS[1] in fetch(f"{site}/news/gzipped", limits=ALLOWED).text()
    moved = fetch(f"{site}/moved", limits=ALLOWED)
    assert moved.url == f"{site}/news/japan-uk-pact"


def test_the_charset_comes_from_the_page_when_the_header_has_none(site: str) -> None:
    page = fetch(f"{site}/latin1", limits=ALLOWED)
    assert page.charset == "windows-1252" and "Caf\u00e9 diplomacy" in page.text()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/big", "larger than 2,000,000 bytes"),
        ("/bomb", "larger than 2,000,000 bytes"),
        ("/loop", "redirects more than 5 times"),
        ("/report.pdf", r"is not a web page \(application/pdf\)"),
        ("/missing", "answered HTTP 404"),
    ],
)
def test_hostile_pages_are_refused_in_one_line(site: str, path: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=message) as refused:
        fetch(f"{site}{path}", limits=ALLOWED)
    assert "\n" not in str(refused.value)
    assert time.monotonic() - started < 30  # cut off while streaming, not after 50 MB or 200 MB


def test_a_page_that_never_finishes_is_cut_off_at_the_deadline(site: str) -> None:
    with pytest.raises(FetchError, match="took longer than 3 s"):
        fetch(f"{site}/never", limits=ALLOWED)


def test_only_http_and_https(site: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch("ftp://127.0.0.1/file", limits=ALLOWED)
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd", limits=ALLOWED)


def test_a_feed_fetch_takes_feeds_only(site: str) -> None:
    with pytest.raises(FetchError, match="is not a news feed"):
        fetch(f"{site}/news/japan-uk-pact", accept=FEED_TYPES, limits=ALLOWED)


def test_private_addresses_are_refused_unless_allowed(site: str) -> None:
    with pytest.raises(FetchError, match=r"resolves to a non-public address \(127\.0\.0\.1\)"):
        fetch(f"{site}/news/japan-uk-pact", limits=ALLOWED.model_copy(update={"allow_private": False}))
    for address in ("10.0.0.1", "192.168.1.1", "169.254.169.254", "::1", "100.64.0.1", "fd00::1"):
        assert not fetching.is_public(ipaddress.ip_address(address)), address
    assert fetching.is_public(ipaddress.ip_address("93.184.216.34"))


def test_every_redirect_hop_is_checked(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Loopback counts as public here, so the first hop passes; the redirect to 10.11.12.13 must not.
    monkeypatch.setattr(fetching, "is_public", lambda ip: ip.is_loopback or ip.is_global)
    limits = ALLOWED.model_copy(update={"allow_private": False})
    assert PARAGRAPHS[0] in fetch(f"{site}/news/japan-uk-pact", limits=limits).text()
    with pytest.raises(FetchError, match=r"10\.11\.12\.13"):
        fetch(f"{site}/to-private", limits=limits)


def test_a_name_resolving_to_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DNS trick: one public answer beside a private one. Every answer is checked, and the
    connection goes to the checked address, not to whatever a second lookup returns."""

    def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr("index.web.fetch.socket.getaddrinfo", resolve)
    with pytest.raises(FetchError, match=r"evil\.test resolves to a non-public address \(10\.0\.0\.7\)"):
        public_address("evil.test", 80, allow_private=False)
