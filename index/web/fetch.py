"""Fetching a web page or feed on a moderator's behalf, safely.

The bot fetches URLs other people give it, so every fetch is bounded and checked:

* only `http` and `https`, at most MAX_REDIRECTS redirects, each hop checked again;
* the host is resolved here and every address it resolves to must be public (not loopback,
  private, link-local, shared or reserved), unless `allow_private` (tests and closed networks);
  the connection then goes to the checked address itself, so a second DNS answer cannot
  swap in another (DNS rebinding);
* a connect timeout, a timeout per read, and a deadline for the whole fetch, so a server that
  trickles bytes forever is cut off too;
* a cap on the bytes downloaded and on the bytes they decompress to, checked while streaming:
  a 50 MB page or a gzip bomb stops at the cap, never in memory;
* only the content types asked for (web pages, or feeds);
* the charset from the Content-Type header, else from the page's own meta tag.

Every refusal is a FetchError whose message is one line a moderator understands.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from pydantic import BaseModel
from urllib3.exceptions import HTTPError as Urllib3Error

USER_AGENT = "Pactbot/0.1 (defence-news question answering bot; fetches links moderators add)"
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


class FetchError(ValueError):
    """A link that was not fetched; the message says why, in one line."""


class FetchLimits(BaseModel):
    connect_timeout: float = 5.0  # seconds to connect
    read_timeout: float = 10.0  # seconds any one read may wait
    total_timeout: float = 30.0  # seconds for the whole fetch, redirects included
    max_bytes: int = 5_000_000  # downloaded, and again after decompression
    allow_private: bool = False  # fetch from loopback and private addresses (tests, closed networks)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes  # decompressed
    charset: str | None  # from the header or the page's meta tag
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: unchanged since the validators given; `body` is empty

    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset name Python does not know
            return self.body.decode("utf-8", errors="replace")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable: not loopback, private, link-local, shared (100.64/10) or reserved."""
    return ip.is_global


def public_address(host: str, port: int, allow_private: bool) -> str:
    """An address of `host` to connect to; every address it resolves to must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host} ({exc.__class__.__name__})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allow_private and not is_public(ip):
            raise FetchError(f"{host} resolves to a non-public address ({ip}); links to private networks are refused")
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    return addresses[0]


def _decompressor(encoding: str) -> zlib._Decompress | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError(f"the server sent an encoding Pactbot does not read ({encoding})")


def _read(response: urllib3.BaseHTTPResponse, limits: FetchLimits, deadline: float, url: str) -> bytes:
    """The body, decompressed, within the byte caps and the deadline."""
    too_large = FetchError(f"{url} is larger than {limits.max_bytes:,} bytes; not fetched")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limits.max_bytes:
        raise too_large
    decoder = _decompressor(response.headers.get("Content-Encoding", "").strip().lower())
    out = bytearray()
    downloaded = 0
    try:
        # read1 returns what has arrived (each wait bounded by the read timeout), so a server
        # that trickles a byte a second meets the deadline instead of filling a 64 kB buffer.
        while chunk := response.read1(CHUNK, decode_content=False):
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took longer than {limits.total_timeout:g} s to send; not fetched")
            downloaded += len(chunk)
            if downloaded > limits.max_bytes:
                raise too_large
            if decoder is None:
                out += chunk
            else:
                # max_length: a gzip bomb never expands past the cap in memory.
                out += decoder.decompress(chunk, limits.max_bytes + 1 - len(out))
                if decoder.unconsumed_tail:
                    raise too_large
            if len(out) > limits.max_bytes:
                raise too_large
    except zlib.error:
        raise FetchError(f"{url} sent a damaged compressed body") from None
    finally:
        response.release_conn()
    return bytes(out)


def _charset(content_type: str, body: bytes) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    meta = _META_CHARSET.search(body[:4096])
    return meta.group(1).decode("ascii", errors="ignore").lower() if meta else None


def fetch(
    url: str,
    accept: tuple[str, ...] = PAGE_TYPES,
    limits: FetchLimits | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET `url` within `limits`, following up to MAX_REDIRECTS redirects. With `etag` or
    `last_modified` (from an earlier fetch) the GET is conditional, and an unchanged resource
    comes back as `not_modified`. Raises FetchError."""
    limits = limits or FetchLimits()
    deadline = time.monotonic() + limits.total_timeout
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept), "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(MAX_REDIRECTS + 1):
        parts = urllib3.util.parse_url(url)
        if parts.scheme not in ("http", "https") or not parts.host:
            raise FetchError(f"only http and https links can be fetched, not {url}")
        host = parts.host.strip("[]")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = public_address(host, port, limits.allow_private)
        remaining = max(deadline - time.monotonic(), 0.1)
        timeout = urllib3.Timeout(
            connect=min(limits.connect_timeout, remaining), read=min(limits.read_timeout, remaining)
        )
        # The connection goes to the address just checked; the host name is kept for the
        # Host header and for TLS (SNI and the certificate check).
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, port, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", timeout=timeout
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout)
        host_header = host if parts.port is None else f"{host}:{port}"
        try:
            response = pool.urlopen(
                "GET",
                parts.request_uri,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
            )
        except Urllib3Error as exc:
            raise FetchError(f"cannot fetch {url} ({exc.__class__.__name__})") from None
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            response.release_conn()
            if not location:
                raise FetchError(f"{url} redirects without saying where")
            url = urljoin(url, location)
            continue
        new_etag, new_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if response.status == 304 and (etag or last_modified):
            response.release_conn()
            return Fetched(url, "", b"", None, etag=new_etag or etag, last_modified=new_modified, not_modified=True)
        if response.status != 200:
            response.release_conn()
            raise FetchError(f"{url} answered HTTP {response.status}")
        content_type = response.headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        if kind not in accept:
            response.release_conn()
            wanted = "a web page" if accept == PAGE_TYPES else "a news feed"
            raise FetchError(f"{url} is not {wanted} ({kind or 'no content type'})")
        try:
            body = _read(response, limits, deadline, url)
        except Urllib3Error as exc:
            raise FetchError(f"cannot fetch {url} ({exc.__class__.__name__})") from None
        charset = _charset(content_type, body)
        return Fetched(url, kind, body, charset, etag=new_etag, last_modified=new_modified)
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times; not fetched")
