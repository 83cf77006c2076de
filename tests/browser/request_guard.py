"""Keep a page on the local server: abort and record every request that leaves it.

The book promises readers that it makes no third-party request, so a test page never reaches
the network: requests outside the local server are aborted and recorded, and the tests assert
that none was made. :func:`watch` also records what the page's own console and responses say,
and which requests are still in flight, so that callers wait on the network going quiet
instead of sleeping.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: Schemes that never leave the browser.
INLINE_SCHEMES = ("data", "blob", "about")


def is_local(url: str, base_url: str) -> bool:
    """Return True for URLs served by the local server (or inline data/blob URLs).

    >>> is_local("http://127.0.0.1:8000/a.html", "http://127.0.0.1:8000/")
    True
    >>> is_local("data:image/png;base64,AAAA", "http://127.0.0.1:8000/")
    True
    >>> is_local("https://cdn.example.org/x.js", "http://127.0.0.1:8000/")
    False
    """
    return url.startswith(base_url) or urlsplit(url).scheme in INLINE_SCHEMES


def block_external(target: Any, base_url: str, record: Callable[[str], object]) -> None:
    """Abort every request of ``target`` (a page or a context) that leaves ``base_url``.

    Only URLs outside the server reach Python (the pattern is matched in the driver): routing
    every local request through a Python callback would double the suite's time.
    """

    def route(route: Any) -> None:
        url = route.request.url
        if is_local(url, base_url):
            route.continue_()
        else:
            record(url)
            route.abort()

    target.route(re.compile(rf"^(?!{re.escape(base_url)})"), route)


@dataclass
class RequestLog:
    """What one page did on the network and in its console."""

    base_url: str
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    in_flight: set[Any] = field(default_factory=set)


def watch(page: Any, base_url: str) -> RequestLog:
    """Block ``page``'s external requests and return the log its events fill in."""
    log = RequestLog(base_url)
    block_external(page, base_url, log.external.append)
    page.on(
        "console",
        lambda msg: (
            log.console_errors.append(f"console.error: {msg.text} @ {msg.location}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: log.console_errors.append(f"pageerror: {error}"))
    page.on(
        "response",
        lambda resp: log.failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
    )
    page.on("request", lambda request: log.in_flight.add(request))
    page.on("requestfinished", lambda request: log.in_flight.discard(request))
    page.on("requestfailed", lambda request: log.in_flight.discard(request))
    return log


def wait_for_requests(page: Any, log: RequestLog, timeout: float = 10.0) -> bool:
    """Wait until none of ``page``'s requests is in flight; return False after ``timeout`` s.

    Playwright delivers the page's events while it waits, so the log stays current.
    """
    deadline = time.monotonic() + timeout
    while log.in_flight:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(20)
    return True
