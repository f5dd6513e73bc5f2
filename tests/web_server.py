"""A web server on 127.0.0.1 for the link tests: realistic news pages and hostile ones."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARAGRAPHS = [
    "Japan and the United Kingdom signed a Reciprocal Access Agreement in London on Wednesday, "
    "allowing their forces to train and exercise in each other's countries for the first time.",
    "The agreement is the first of its kind for Japan with a European country, officials said, and "
    "it will take effect once both parliaments have ratified it, which is expected later this year.",
    '"This is a landmark day for our two nations," the defence minister said at the signing ceremony, '
    "adding that the deal would deepen co-operation across the Indo-Pacific.",
    "Analysts said the pact reflected a growing convergence between the two island nations on "
    "security, technology and the protection of sea lanes.",
]


def news_page(
    title: str = "Japan and UK sign defence pact",
    canonical: str = "/news/japan-uk-pact",
    paragraphs: list[str] = PARAGRAPHS,
    published: str = "2023-01-11",
) -> bytes:
    """A news article as sites serve it: navigation, a cookie banner, a related-links box,
    Open Graph and JSON-LD metadata, a <time> element, and a footer."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": f"{published}T09:00:00Z",
        "author": [{"@type": "Person", "name": "Jane Doe"}],
        "publisher": {"@type": "Organization", "name": "Pacific Security Review"},
    }
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Pacific Security Review</title>
<meta property="og:site_name" content="Pacific Security Review">
<meta property="og:title" content="{title}">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="{canonical}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/defence">Defence</a></li></ul></nav>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<main><article><h1>{title}</h1><p class="byline">By Jane Doe</p><time datetime="{published}">{published}</time>
{body}</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Navy chief visits Tokyo</a></li>
<li><a href="/b">Budget talks stall</a></li></ul></aside></main>
<footer>© 2023 Pacific Security Review. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>""".encode()


Route = Callable[[BaseHTTPRequestHandler], None]


def _send(handler: BaseHTTPRequestHandler, body: bytes, content_type: str, **headers: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _huge(handler: BaseHTTPRequestHandler) -> None:
    """50 MB of HTML, without a Content-Length: only the streaming cap stops it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_000 + b"</p>"
    try:
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _never_finishes(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(600):  # a byte a second, for ten minutes: each read succeeds, the whole never ends
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(1)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MB in about 200 kB
    _send(handler, bomb, "text/html", Content_Encoding="gzip")


ROUTES: dict[str, Route] = {
    "/news/japan-uk-pact": lambda h: _send(h, news_page(), "text/html; charset=utf-8"),
    "/news/gzipped": lambda h: _send(h, gzip.compress(news_page()), "text/html", Content_Encoding="gzip"),
    "/mirror/japan-uk-pact": lambda h: _send(
        h, news_page(canonical="/mirror/japan-uk-pact"), "text/html; charset=utf-8"
    ),
    "/moved": lambda h: _redirect(h, "/news/japan-uk-pact"),
    "/loop": lambda h: _redirect(h, "/loop"),
    "/to-private": lambda h: _redirect(h, "http://10.11.12.13/secret"),
    "/big": _huge,
    "/never": _never_finishes,
    "/bomb": _gzip_bomb,
    "/report.pdf": lambda h: _send(h, b"%PDF-1.7\n" + b"0" * 2000, "application/pdf"),
    "/paywall": lambda h: _send(
        h, b"<html><body><h1>Subscribe</h1><p>Subscribe to read this article.</p></body></html>", "text/html"
    ),
    "/feeds/huge.rss": lambda h: _huge_feed(h),  # defined below, with the other feeds
    "/feeds/broken.xml": lambda h: _send(h, b"<rss version='2.0'><channel><<title>>& oops", "text/xml"),
    "/feeds/truncated.rss": lambda h: _send(
        h,
        b"<rss version='2.0'><channel><title>Cut off</title><item><title>One</title>"
        b"<link>http://127.0.0.1:9/story/1</link></item><item><title>Tw",
        "application/rss+xml",
    ),
    "/latin1": lambda h: _send(
        h,
        news_page(title="Caf\u00e9 diplomacy: France and Japan sign pact")
        .replace(b'<meta charset="utf-8">', b'<meta charset="windows-1252">')
        .decode()
        .encode("cp1252"),
        "text/html",
    ),
}


# Feeds the tests grow between polls: feed name -> its stories' numbers, newest last. A story's
# page is /story/N; each has its own text, so no two are duplicates of each other.
FEEDS: dict[str, list[int]] = {}
# How each feed path was last answered (200 or 304), for the conditional-GET tests.
FEED_STATUS: dict[str, list[int]] = {}
_PAIRS = [("Japan", "Australia"), ("France", "India"), ("Poland", "Sweden"), ("Canada", "South Korea")]


def story(n: int) -> tuple[str, str, list[str]]:
    """Story n's title, date and paragraphs."""
    a, b = _PAIRS[n % len(_PAIRS)]
    day = (dt.date(2024, 1, 1) + dt.timedelta(days=n // 24)).isoformat()  # later stories are newer
    paragraphs = [
        f"{a} and {b} agreed to deepen their defence co-operation in talks held on day {n} of the "
        f"programme, officials from both governments said in a joint statement after the meeting.",
        f"The agreement number {n} covers joint exercises, the exchange of liaison officers and "
        f"shared maritime patrols, and it is expected to be signed by the two defence ministers soon.",
        f"Analysts said item {n} showed how quickly security ties between {a} and {b} were growing.",
    ]
    return f"{a} and {b} deepen defence ties, report {n}", day, paragraphs


def _story(handler: BaseHTTPRequestHandler, n: int) -> None:
    title, day, paragraphs = story(n)
    _send(handler, news_page(title, f"/story/{n}", paragraphs, day), "text/html; charset=utf-8")


def _rss(name: str, numbers: list[int]) -> bytes:
    items = "".join(
        f"<item><title>{story(n)[0]}</title><link>{{base}}/story/{n}</link><guid>story-{n}</guid>"
        f"<pubDate>{email.utils.format_datetime(_published(n))}</pubDate></item>"
        for n in reversed(numbers)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name} news</title>'
        f"<link>{{base}}/</link><description>Defence news</description>{items}</channel></rss>"
    ).encode()


def _atom(name: str, numbers: list[int]) -> bytes:
    entries = "".join(
        f'<entry><title>{story(n)[0]}</title><link href="{{base}}/story/{n}"/><id>urn:story:{n}</id>'
        f"<updated>{_published(n).isoformat()}</updated></entry>"
        for n in reversed(numbers)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{name} news</title><id>urn:feed:{name}</id><updated>2024-12-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def _published(n: int) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{story(n)[1]}T{n % 24:02d}:00:00+00:00")


def _feed(handler: BaseHTTPRequestHandler, name: str, kind: str) -> None:
    """A feed of FEEDS[name], with an ETag and Last-Modified; a matching conditional GET gets 304."""
    base = f"http://{handler.headers['Host']}"
    numbers = FEEDS.get(name, [])
    body = (_atom if kind == "atom" else _rss)(name, numbers).replace(b"{base}", base.encode())
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    modified = email.utils.formatdate(1_700_000_000 + len(numbers) * 60, usegmt=True)
    statuses = FEED_STATUS.setdefault(handler.path, [])
    if handler.headers.get("If-None-Match") == etag:
        statuses.append(304)
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.end_headers()
        return
    statuses.append(200)
    content_type = "application/atom+xml" if kind == "atom" else "application/rss+xml; charset=utf-8"
    _send(handler, body, content_type, ETag=etag, Last_Modified=modified)


def _huge_feed(handler: BaseHTTPRequestHandler) -> None:
    """An RSS feed of 5,000 items (their links go to stories 100000 and up)."""
    base = f"http://{handler.headers['Host']}"
    body = _rss("Huge", list(range(100_000, 105_000))).replace(b"{base}", base.encode())
    _send(handler, body, "application/rss+xml")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path
        if path.startswith("/story/") and path[7:].isdigit():
            _story(self, int(path[7:]))
            return
        if path.startswith("/feeds/") and path.count(".") == 1:
            name, kind = path[7:].split(".")
            if name in FEEDS and kind in ("atom", "rss"):
                _feed(self, name, kind)
                return
        route = ROUTES.get(path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


def serve() -> Iterator[str]:
    """Run the server in a thread; yields its base URL, http://127.0.0.1:PORT."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
