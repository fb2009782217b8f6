"""A real HTTP server on 127.0.0.1 for the follow tests: feeds, pages, ETags and 304s, and a request log."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    """One request the server answered."""

    path: str
    status: int
    if_none_match: str | None


@dataclass
class FeedServer:
    """Serves ``routes`` (path -> (content type, body)); anything else is a 404. Each body has an ETag,
    and a GET that sends it back gets 304 Not Modified."""

    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    etags: bool = True
    last_modified: str | None = None
    """When set, sent as every answer's Last-Modified; an If-Modified-Since equal to it gets 304."""

    def start(self) -> FeedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                wanted = self.headers.get("If-None-Match")
                if path not in owner.routes:
                    owner.log.append(Request(path, 404, wanted))
                    self.send_error(404, "Not Found")
                    return
                content_type, body = owner.routes[path]
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                since = self.headers.get("If-Modified-Since")
                if (owner.etags and wanted == etag) or (owner.last_modified and since == owner.last_modified):
                    owner.log.append(Request(path, 304, wanted))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                owner.log.append(Request(path, 200, wanted))
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if owner.etags:
                    self.send_header("ETag", etag)
                if owner.last_modified:
                    self.send_header("Last-Modified", owner.last_modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        self.routes[path] = (content_type, body.encode("utf-8") if isinstance(body, str) else body)
        return self.url + path

    def requests(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def page(title: str, *paragraphs: str, author: str | None = None, date: str | None = None) -> str:
    """A news page shaped like a real one: navigation, the article, a share bar, related links, a footer."""
    meta = ""
    if author:
        meta += f'<meta name="author" content="{author}">'
    if date:
        meta += f'<meta property="article:published_time" content="{date}">'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | The Harbour Post</title>'
            f'<meta property="og:site_name" content="The Harbour Post">{meta}</head><body>'
            '<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>'
            f'<main><article><h1>{title}</h1>{body}</article>'
            '<div class="share">Share this story on Facebook, Twitter or by e-mail</div>'
            '<aside class="related"><h3>Related stories</h3><ul><li><a href="/x">Council meets again</a></li>'
            '</ul></aside></main><footer>Copyright The Harbour Post. All rights reserved.</footer></body></html>')


ARTICLES = {
    "ferry": ("The Ferry Comes Home",
              "Every spring the ferry returns to the river crossing, and the whole village gathers on the bank "
              "to watch it arrive.",
              "This year the ferryman says it will be his last season. His daughter will take the wheel, as he "
              "once took it from his own father."),
    "bread": ("Bread Before Dawn",
              "The baker starts work at four in the morning, while the street is still dark and quiet.",
              "By six the first loaves are cooling by the window, and the queue already reaches the corner."),
    "kites": ("Kites Over the Dunes",
              "On windy afternoons the dunes fill with kites of every colour, tugging at their lines.",
              "The kite club meets on Sundays and lends a kite to anyone who turns up without one."),
    "tides": ("Reading the Tides",
              "Fishermen on the island still read the tides from a chalk board outside the harbour office.",
              "The harbour master updates it each evening, and nobody has ever asked for an app instead."),
}
"""Short articles: each is spoken once per test run (the synthesis cache keeps them for the rest)."""


def rss(items: list[dict[str, str]], title: str = "The Harbour Post") -> str:
    """An RSS 2.0 feed; each item's keys are element names (title, link, guid, pubDate, description...)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
           f"<title>{title}</title><link>http://example.invalid/</link><description>Local news</description>"]
    for item in items:
        out.append("<item>")
        for key, value in item.items():
            if key == "enclosure":
                out.append(f'<enclosure url="{value}" length="1000" type="audio/mpeg"/>')
            elif key == "content":
                out.append(f"<content:encoded><![CDATA[{value}]]></content:encoded>")
            else:
                out.append(f"<{key}>{value}</{key}>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def day(n: int) -> str:
    """An RFC 822 date in December 2025, day ``n``."""
    return f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(n - 1) % 7]}, {n:02d} Dec 2025 08:00:00 GMT"
