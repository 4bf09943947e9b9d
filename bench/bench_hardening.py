"""The figures issue 13 asks for (not a test): hostile loads, floods and password guessing.

    python3 bench/bench_hardening.py

Everything runs in this process on a temporary SQLite database with the test election
(tests/data/flat-*.yaml), through the real app (FastAPI's TestClient, no network) and the
default limits of api/throttle.py and vaa/accounts.py. Each hostile file is loaded twice:
once for the time, once under tracemalloc for the peak of Python allocations (tracing
slows that run down, so the time is the untraced one). The bombs are the ones the
hardening suite replays (tests/security/).
"""

import contextlib
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from api.app import create_app  # noqa: E402
from api.throttle import Throttle, Throttles  # noqa: E402
from tests.api.test_auth import add_account, sign_in  # noqa: E402
from tests.api.test_session_pages import _code, _create  # noqa: E402
from tests.conftest import DATA, DEMO_FILES  # noqa: E402
from tests.security.test_spreadsheet_limits import zip_bomb  # noqa: E402
from tests.security.test_yaml_loading import billion_laughs  # noqa: E402
from vaa import accounts  # noqa: E402
from vaa.accounts import InvalidCredentials, TooManyFailures  # noqa: E402
from vaa.db import create_db_engine, migrate, session_scope  # noqa: E402
from vaa.formats import DataError  # noqa: E402
from vaa.loading import load_files, read_elections  # noqa: E402
from vaa.models import Donation, utcnow  # noqa: E402
from vaa.settings import Settings  # noqa: E402
from vaa.spreadsheets import export_xlsx, import_xlsx  # noqa: E402

Row = tuple[str, str, str]
DONATE = "/api/v1/elections/demo/donations"


def _refused(load: Callable[[], object]) -> tuple[str, int, str]:
    """Wall and CPU time until `load` raises DataError, peak traced bytes, the first problem.

    The CPU time is this process's own: on a shared machine the wall time also counts
    waiting for a core.
    """
    started, cpu = time.perf_counter(), time.process_time()
    try:
        load()
    except DataError as exc:
        problem = str(exc.problems[0])
    else:
        raise AssertionError("the hostile input was accepted")
    elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms (CPU {(time.process_time() - cpu) * 1000:.0f} ms)"
    tracemalloc.start()
    try:
        with contextlib.suppress(DataError):
            load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return elapsed, peak, problem


def hostile_loads(work: Path) -> list[Row]:
    questionnaire = (DATA / "example-questionnaire.yaml").read_text("utf-8")
    files = {
        "YAML alias bomb (551 B, 9**10 values)": billion_laughs(),
        "YAML recursive alias": "election: x\nstatements: &s\n  - id: a\n  - *s\n",
        "YAML nested 10,000 deep": "election: x\nstatements: " + "[" * 10_000,
        "YAML file of 30 MB": questionnaire + "#" * 30_000_000 + "\n",
    }
    rows: list[Row] = []
    for name, text in files.items():
        (work / "hostile.yaml").write_text(text, "utf-8")
        elapsed, peak, problem = _refused(lambda: read_elections([work / "hostile.yaml"]))
        rows.append((name, f"{elapsed}, peak {peak / 1e6:.1f} MB", _tail(problem)))
    (example,) = read_elections(
        [DATA / "example-questionnaire.yaml", DATA / "example-parties.yaml"]
    )
    bomb = zip_bomb(export_xlsx(example))
    elapsed, peak, problem = _refused(lambda: import_xlsx(bomb, current=example))
    rows.append(
        (
            f"xlsx zip bomb ({len(bomb) / 1e6:.2f} MB)",
            f"{elapsed}, peak {peak / 1e6:.1f} MB",
            _tail(problem),
        )
    )
    return rows


def _tail(problem: str) -> str:
    """The message without the temporary file's path."""
    return problem.split(": ", 1)[-1][:70]


def _app(work: Path) -> tuple[Any, Any]:
    settings = Settings(database_url=f"sqlite:///{work / 'vaa.db'}", demo_files=DEMO_FILES)
    engine = create_db_engine(settings)
    migrate(engine)
    with session_scope(engine) as session:
        load_files(session, paths=DEMO_FILES)
    return create_app(settings), engine


def _donation_body(client: TestClient) -> dict[str, Any]:
    bundle = client.get("/api/v1/elections/demo").json()["bundle"]
    election = client.get(f"{bundle}/en").json()
    ids = [s["id"] for s in election["statements"]]
    return {"version": election["version"], "answers": dict.fromkeys(ids, "agree")}


def _donate(client: TestClient, body: dict[str, Any]) -> int:
    token = client.post("/api/v1/elections/demo/donation-tokens").json().get("token", "")
    return client.post(DONATE, json={**body, "token": token}).status_code


def floods(work: Path) -> list[Row]:
    app, engine = _app(work)
    rows: list[Row] = []
    client = TestClient(app, client=("203.0.113.1", 50000))
    body = _donation_body(client)
    # Tokens are throttled too (30 per address); lift that to measure the donation limit.
    app.state.throttles.donation_tokens.per_client = 10_000
    started = time.perf_counter()
    codes = [_donate(client, body) for _ in range(300)]
    rows.append(
        (
            "300 donations from one address",
            f"{codes.count(201)} stored, {codes.count(429)} refused (429)",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    app.state.throttles = Throttles(
        donation_tokens=Throttle(per_client=10_000, overall=100_000, window=600)
    )
    started = time.perf_counter()
    codes = [
        _donate(TestClient(app, client=(f"10.0.{i // 250}.{i % 250}", 50000)), body)
        for i in range(700)
    ]
    rows.append(
        (
            "700 donations from 700 addresses",
            f"{codes.count(201)} stored, {codes.count(429)} refused (429)",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Donation)).one()
    rows.append(("donations in the database", str(stored), "of 1,000 sent"))

    add_account(engine, "facilitator@example.org", "facilitator")
    facilitator = TestClient(app, headers={"accept-language": "en"})
    assert sign_in(facilitator, "facilitator@example.org").status_code == 303
    code = _code(facilitator, _create(facilitator))
    room = TestClient(app, client=("203.0.113.20", 50000))
    page = room.get(f"/en/join/{code}").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    started = time.perf_counter()
    data = {"csrf_token": token, "consent": "yes"}
    codes = [room.post(f"/en/join/{code}", data=data).status_code for _ in range(200)]
    rows.append(
        (
            "200 joins from one address",
            f"{codes.count(200)} joined, {codes.count(429)} refused (429)",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    prober = TestClient(app, client=("203.0.113.9", 50000))
    codes = [prober.get(f"/en/join/{i:06d}".replace("0", "A")).status_code for i in range(100)]
    right = prober.get(f"/en/join/{code}").status_code
    rows.append(
        (
            "100 guessed join codes, one address",
            f"{codes.count(404)} answered (404), {codes.count(429)} refused (429)",
            f"then the right code: {right}",
        )
    )
    rows.append(_guessing(engine))
    engine.dispose()
    return rows


def _guessing(engine: Any) -> Row:
    """The issue's replay: wrong passwords for one account from 20 addresses."""
    add_account(engine, "editor@example.org", "editor")
    now = utcnow()
    checked = refused = 0
    first_refusal: int | None = None
    with session_scope(engine) as session:
        for i in range(100):
            try:
                accounts.authenticate(
                    session,
                    email="editor@example.org",
                    password="wrong guess",
                    client=f"192.0.2.{i % 20}",
                    now=now + timedelta(seconds=i / 10),
                )
            except InvalidCredentials:
                checked += 1
            except TooManyFailures:
                refused += 1
                first_refusal = i if first_refusal is None else first_refusal
    return (
        "100 wrong passwords, 1 account, 20 addresses, 10 s",
        f"{checked} checked, {refused} refused",
        f"backoff from attempt {(first_refusal or 0) + 1}",
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = hostile_loads(work) + floods(work)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
