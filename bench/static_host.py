"""A stand-in for a CDN in bench_launch.py: the static export served as plain files.

Starlette's StaticFiles under the same uvicorn as the app, with gzip at level 6 (what a
CDN sends for text), so the two tiers are compared on one server stack: the difference
is what rendering pages costs, not which web server is faster.

    BENCH_STATIC_DIR=/tmp/export uvicorn bench.static_host:app

BENCH_STATIC_GZIP=0 serves without compression, as nginx's default configuration does
(Mat-O-Wahl's own Docker image, in bench_matowahl.py).
"""

import os

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

app = Starlette()
app.mount("/", StaticFiles(directory=os.environ.get("BENCH_STATIC_DIR", "."), html=True))
if os.environ.get("BENCH_STATIC_GZIP", "1") != "0":
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
