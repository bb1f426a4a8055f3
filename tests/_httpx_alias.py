"""Loaded first (``-p tests._httpx_alias``): make ``import httpx`` mean ``httpx2``.

The provider SDKs are built on httpx2, which respx does not patch; aliasing before anything
imports httpx makes respx, the SDKs and Starlette's TestClient share one set of classes.
"""

import httpx2

httpx2.alias_httpx()
