"""A local HTTP server for a built site (the book, or a folder of quiz pages).

``QuietHandler`` serves files as they are on disk, like ``python -m http.server``;
``GzipHandler`` compresses text files the way static hosts (GitHub Pages, Netlify) do, for the
page weights that ``benchmarks/book_metrics.py`` prints.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server`` without the access log."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class GzipHandler(QuietHandler):
    """Like a real static host: text files gzip-compressed when the client accepts it."""

    compressible = (".html", ".js", ".css", ".svg", ".json", ".txt", ".ipynb", ".map")
    cache: dict[Path, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in self.compressible):
            super().do_GET()
            return
        if path not in self.cache:
            self.cache[path] = gzip.compress(path.read_bytes(), compresslevel=6)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_directory(
    folder: Path, name: str = "book-server", handler: type = QuietHandler
) -> Iterator[str]:
    """Serve ``folder`` on ``http://127.0.0.1:<free port>/`` while the block runs."""
    bound = functools.partial(handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), bound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
