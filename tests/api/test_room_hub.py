"""The session kit: a laptop as the room's hub (vaa/hub.py, `vaa serve --host 0.0.0.0`).

The join link and QR code the facilitator shows must name an address the phones in the
room can open: VAA_PUBLIC_URL, or the laptop's LAN address. Checked by what the pages
show and what `vaa serve` prints; every request here goes to loopback only.
"""

import json
import os
import re
import select as io_select
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import segno
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select

from api.app import create_app
from tests.api.test_auth import add_account, sign_in
from tests.api.test_session_pages import _code, _create
from tests.browser.conftest import _free_port
from tests.conftest import DEMO_FILES
from vaa import accounts
from vaa.db import create_db_engine, session_scope
from vaa.hub import lan_address
from vaa.models import Account
from vaa.settings import ROOT, Settings

HUB = "http://192.168.43.10:8000"


def qr_path(url: str) -> str:
    """The path of the QR code for a URL, as the pages draw it."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, svgclass="qr", lineclass="qr__line", omitsize=True
    )
    found = re.search(r' d="([^"]+)"', svg)
    assert found
    return found.group(1)


def shown_join(html: str) -> tuple[str, str]:
    """The join link and the QR code's path on a facilitator page."""
    link = re.search(r"(https?://[^\"'<\s]+/join/\w{6})", html)
    qr = re.search(r'<svg[^>]*class="qr".*? d="([^"]+)"', html, re.S)
    assert link and qr, "no join link or QR code on the page"
    return link.group(1), qr.group(1)


def test_the_join_link_and_qr_name_the_public_url(settings: Settings, demo: sa.Engine) -> None:
    with TestClient(create_app(settings.model_copy(update={"public_url": HUB}))) as client:
        client.headers["accept-language"] = "en"
        add_account(demo, "facilitator@example.org", "facilitator")
        assert sign_in(client, "facilitator@example.org").status_code == 303
        base = _create(client)
        code = _code(client, base)
        for page in (base, f"{base}/projector"):
            link, qr = shown_join(client.get(page).text)
            assert link == f"{HUB}/join/{code}", page
            assert qr == qr_path(link), page
            assert qr != qr_path(f"http://testserver/join/{code}")


def test_without_a_public_url_the_link_is_the_address_in_use(
    settings: Settings, demo: sa.Engine
) -> None:
    with TestClient(create_app(settings)) as client:
        client.headers["accept-language"] = "en"
        add_account(demo, "facilitator@example.org", "facilitator")
        assert sign_in(client, "facilitator@example.org").status_code == 303
        base = _create(client)
        link, qr = shown_join(client.get(base).text)
        assert link == f"http://testserver/join/{_code(client, base)}"
        assert qr == qr_path(link)


def test_a_public_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="must start with http"):
        Settings(public_url="192.168.43.10:8000")
    assert Settings(public_url=" http://hub.lan:8000/ ").public_url == "http://hub.lan:8000"
    env = {**os.environ, "VAA_PUBLIC_URL": "hub.lan"}
    done = subprocess.run(
        [sys.executable, "-m", "vaa.cli", "serve"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "setting VAA_PUBLIC_URL: " in done.stderr and "http://" in done.stderr
    assert "Traceback" not in done.stderr


def _serve(tmp_path: Path, port: int, **env: str) -> tuple[subprocess.Popen[bytes], list[str]]:
    """`vaa serve --host 0.0.0.0` on a fresh SQLite file; its first lines of output."""
    database = f"sqlite:///{tmp_path / 'hub.db'}"
    environment = {k: v for k, v in os.environ.items() if k != "VAA_PUBLIC_URL"}
    environment |= {
        "VAA_DATABASE_URL": database,
        "VAA_DEMO_FILES": json.dumps([str(p) for p in DEMO_FILES]),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "vaa.cli", "serve", "--host", "0.0.0.0", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,  # unbuffered bytes: select() then sees every line still to read
    )
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while process.poll() is None and time.monotonic() < deadline:
        if not io_select.select([process.stdout], [], [], 1)[0]:
            continue
        line = process.stdout.readline().decode()
        lines.append(line.strip())
        if "join at" in line or "VAA_PUBLIC_URL=" in line:
            break
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process, lines
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    process.stdout.close()
    raise RuntimeError(f"vaa serve did not start: {lines}")


def _join_link_from(port: int, database: str) -> str:
    """Sign a facilitator in over loopback, start a session, read its join link."""
    engine = create_db_engine(Settings(database_url=database))
    with session_scope(engine) as session:
        accounts.create_account(
            session,
            email="hub@example.org",
            password="correct horse battery staple",
            role="facilitator",
            election=None,
            entity=None,
            actor="test",
        )
        account = session.exec(select(Account).where(Account.email == "hub@example.org")).one()
        token = accounts.start_session(session, account=account)
    engine.dispose()
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, cookies={"vaa_session": token}) as client:
        form = client.get("/facilitator", headers={"accept-language": "en"}).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        created = client.post(
            "/facilitator/sessions",
            data={
                "election": "demo",
                "language": "en",
                "place": "Zugdidi",
                "day": "2025-09-20",
                "min_group": "2",
                "kiosk_minutes": "3",
                "csrf_token": csrf.group(1),
            },
        )
        assert created.status_code == 303, created.text
        page = client.get(created.headers["location"]).text
    link, qr = shown_join(page)
    assert qr == qr_path(link)
    return link


@pytest.mark.parametrize("public", [False, True], ids=["detected", "VAA_PUBLIC_URL"])
def test_vaa_serve_as_a_room_hub_prints_and_shows_the_room_address(
    tmp_path: Path, public: bool
) -> None:
    port = _free_port()
    expected = f"http://hub.example:{port}" if public else f"http://{lan_address()}:{port}"
    env = {"VAA_PUBLIC_URL": expected} if public else {}
    process, lines = _serve(tmp_path, port, **env)
    try:
        if not public and lan_address() is None:  # a machine on no network at all
            assert any("set VAA_PUBLIC_URL" in line for line in lines)
            return
        assert f"participants join at {expected}/join" in "\n".join(lines)
        link = _join_link_from(port, f"sqlite:///{tmp_path / 'hub.db'}")
        assert link.startswith(f"{expected}/join/")
    finally:
        process.terminate()
        process.wait(timeout=15)
        assert process.stdout is not None
        process.stdout.close()
