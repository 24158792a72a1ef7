"""A hosting company's control panel for the embedding test: one static HTML page served on
its own loopback port (so its origin differs from the shop's), the way docs/embedding.md
shows a panel integrating shomei-embed.js."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Example Hosting panel</title></head>
<body>
  <h1>Example Hosting コントロールパネル</h1>
  <button id="buy">SSL証明書を購入</button>
  <p id="result" role="status">—</p>
  <script src="{embed}"></script>
  <script>
    document.getElementById("buy").addEventListener("click", function () {{
      ShomeiCheckout.open("{session_url}", {{
        onComplete: function (result) {{
          document.getElementById("result").textContent =
            "ご注文 " + result.order_id + " (" + result.session + ", " + result.payment + ")";
        }},
        onClose: function () {{ document.getElementById("result").textContent = "closed"; }}
      }});
    }});
  </script>
</body></html>
"""


@contextmanager
def panel_server(embed: str, session_url: str, port: int) -> Iterator[str]:
    """Serve the panel page at ``http://127.0.0.1:<port>/``; yields its origin."""
    body = PAGE.format(embed=embed, session_url=session_url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
