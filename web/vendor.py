"""Vendored front-end libraries, kept compressed in the repository and served from the app.

Mermaid's bundle is 5.5 MB of JavaScript; gzipped it is 1.6 MB. It is stored gzipped and sent
as is with ``Content-Encoding: gzip`` (decompressed here for the rare client that does not
accept gzip). It loads only when a notes pane shows a Mermaid diagram.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

router = APIRouter(include_in_schema=False)
VENDOR = Path(__file__).with_name("static") / "vendor"
MERMAID = VENDOR / "mermaid.min.js.gz"


@cache
def _compressed() -> bytes:
    return MERMAID.read_bytes()


@router.get("/static/vendor/mermaid.min.js")
def mermaid(request: Request) -> Response:
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    body = _compressed()
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
