"""Every path the README names answers on the shipped demo: a documented page that 404s is a bug.

Paths are read from the README's code spans (`/...`); placeholders take the demo's values.
Admin pages may ask for a sign-in (401/403/303), but none may be missing.
"""

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import SHIPPED_DEMO_FILES
from tests.factories import voter_slice
from vaa.db import session_scope
from vaa.loading import load_files
from vaa.settings import ROOT, Settings

CODE_PATH = re.compile(r"`(/[^`\s]*)`")
# Fragments a README line names after a full path (`/{lang}/{election}/` then `/quiz`).
SUFFIXES = {"/quiz", "/results", "/method", "/statistics", "/place"}


def _documented_paths() -> set[str]:
    found: set[str] = set()
    for path in CODE_PATH.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        if path in SUFFIXES:
            path = "/{lang}/{election}" + path
        if "<" in path or "..." in path:
            continue  # a pattern (`/static/<hash>/...`), not a page
        found.add(path)
    return found


def _concrete(path: str, entity: str) -> str:
    return (
        path.replace("{lang}", "ka")
        .replace("{election}", "demo")
        .replace("{e}", "demo")
        .replace("{entity}", entity)
        .replace("{checksum}", "0" * 64)
    )


def test_every_documented_path_exists(settings: Settings, engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        load_files(session, paths=SHIPPED_DEMO_FILES)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        entity = voter_slice(client, lang="ka")["entities"][0]["id"]
        paths = _documented_paths()
        assert "/docs" in paths and "/ka/demo/embed" in paths
        missing = []
        for documented in sorted(paths):
            path = _concrete(documented, entity)
            status = client.get(path).status_code
            # A bundle asked for by an unknown checksum is rightly "not found".
            if status == 404 and "{checksum}" not in documented:
                missing.append(f"{documented} -> {path}")
        assert not missing, f"README names paths that 404: {missing}"
