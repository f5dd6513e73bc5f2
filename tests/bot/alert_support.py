"""What the alert tests need beside the fake Discord: news pages and a feed of them on the local
web server (tests/web_server.py), and a bot on a small index built with the hash embedder."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from tests.web_server import ROUTES, news_page

GERMANY_TALKS = (
    "Japan and Germany open talks on an access pact",
    "2024-01-10",
    [
        "Japan and Germany began negotiating a Reciprocal Access Agreement on Wednesday, officials in Tokyo said, "
        "after months of preparation by both defence ministries.",
        "The agreement would let the two forces train together and move troops and equipment more easily, "
        "and officials expect the negotiations to take several months before anything is put to a vote.",
        "Analysts in Berlin said the talks showed how far security ties between Europe and Asia had come "
        "in a few years, with exercises, liaison officers and shared patrols now common.",
    ],
)
GERMANY_SIGNED = (
    "Japan and Germany sign access pact",
    "2024-03-05",
    [
        "Japan and Germany signed a Reciprocal Access Agreement in Berlin on Tuesday, officials from both "
        "governments said after the ceremony.",
        "Analysts said the signing capped two months of quick negotiations between the defence ministries, "
        "and that parliaments in both countries were expected to approve it later in the year.",
        "The two governments also agreed to hold their first joint exercise in the Pacific next summer, "
        "with ships and aircraft from both sides taking part alongside observers from partner nations.",
    ],
)
INDIA_TALKS = (
    "France and India weigh a logistics deal",
    "2024-02-01",
    [
        "France and India began negotiating a Logistics Support Agreement on Thursday, diplomats in New Delhi said, "
        "as both navies expand their presence in the Indian Ocean.",
        "Officials said the deal would let warships of each country refuel and resupply at the other's bases, "
        "and that a first round of talks had gone well, though no date was set for a second.",
        "Analysts said the talks reflected a growing convergence between the two countries on maritime "
        "security, technology and the protection of sea lanes across the region.",
    ],
)

Story = tuple[str, str, list[str]]


def _send(handler: BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class AlertFeed:
    """An RSS feed at /alerts/NAME.rss of the stories appended to it, each a page /alerts/NAME/N."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stories: list[Story] = []
        ROUTES[self.path] = self._feed

    @property
    def path(self) -> str:
        return f"/alerts/{self.name}.rss"

    def add(self, story: Story) -> None:
        n = len(self.stories)
        self.stories.append(story)
        title, published, paragraphs = story
        page = news_page(title, f"/alerts/{self.name}/{n}", paragraphs, published)
        ROUTES[f"/alerts/{self.name}/{n}"] = self._page(page)

    @staticmethod
    def _page(page: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
        return lambda handler: _send(handler, page, "text/html; charset=utf-8")

    def _feed(self, handler: BaseHTTPRequestHandler) -> None:
        base = f"http://{handler.headers['Host']}"
        items = "".join(
            f"<item><title>{title}</title><link>{base}/alerts/{self.name}/{n}</link><guid>{self.name}-{n}</guid>"
            f"<pubDate>{email.utils.format_datetime(dt.datetime.fromisoformat(day + 'T09:00:00+00:00'))}</pubDate>"
            "</item>"
            for n, (title, day, _) in reversed(list(enumerate(self.stories)))
        )
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{self.name} alerts</title>'
            f"<link>{base}/</link><description>Defence news</description>{items}</channel></rss>"
        ).encode()
        _send(handler, body, "application/rss+xml")

    def close(self) -> None:
        for path in [p for p in ROUTES if p == self.path or p.startswith(f"/alerts/{self.name}/")]:
            del ROUTES[path]


def article_file(story: Story, source: str) -> str:
    """The story as an article file of the knowledge folder."""
    title, published, paragraphs = story
    body = "\n\n".join(paragraphs)
    return f'---\ntitle: "{title}"\npublisher: "Test Wire"\npublished: {published}\nsource: "{source}"\n---\n{body}\n'
