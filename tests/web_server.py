"""A web server on 127.0.0.1 for the link tests: realistic news pages and hostile ones."""

from __future__ import annotations

import gzip
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


def news_page(title: str = "Japan and UK sign defence pact", canonical: str = "/news/japan-uk-pact") -> bytes:
    """A news article as sites serve it: navigation, a cookie banner, a related-links box,
    Open Graph and JSON-LD metadata, a <time> element, and a footer."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": "2023-01-11T09:00:00Z",
        "author": [{"@type": "Person", "name": "Jane Doe"}],
        "publisher": {"@type": "Organization", "name": "Pacific Security Review"},
    }
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
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
<main><article><h1>{title}</h1><p class="byline">By Jane Doe</p><time datetime="2023-01-11">11 January 2023</time>
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
    "/latin1": lambda h: _send(
        h,
        news_page(title="Caf\u00e9 diplomacy: France and Japan sign pact")
        .replace(b'<meta charset="utf-8">', b'<meta charset="windows-1252">')
        .decode()
        .encode("cp1252"),
        "text/html",
    ),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route = ROUTES.get(self.path)
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
