"""The baseline for bench_api.py: a bare FastAPI JSON endpoint, nothing else."""

from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.post("/echo")
async def echo(body: dict[str, Any]) -> dict[str, Any]:
    """Return a small JSON document (the framework's ceiling on this machine)."""
    return {"ok": True, "answered": len(body.get("answers", {}))}
