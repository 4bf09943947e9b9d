"""The baselines for bench_api.py: bare FastAPI endpoints, nothing else.

`/echo` returns a small JSON document; `/bytes` returns the file named by
BENCH_BODY_FILE as it is (bench_api.py writes the match route's answer there), so the
cost of sending a body that large is measured apart from the cost of computing it.
"""

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response

app = FastAPI()
_BODY = (
    Path(os.environ["BENCH_BODY_FILE"]).read_bytes() if "BENCH_BODY_FILE" in os.environ else b"{}"
)


@app.post("/echo")
async def echo(body: dict[str, Any]) -> dict[str, Any]:
    """Return a small JSON document (the framework's ceiling on this machine)."""
    return {"ok": True, "answered": len(body.get("answers", {}))}


@app.post("/bytes")
async def same_bytes(body: dict[str, Any]) -> Response:
    """Return the match route's body, precomputed (the floor for a body that size)."""
    return Response(_BODY, media_type="application/json")
