"""vaa.cli: the `vaa` command on a real database (both backends), as an operator uses it.

Each command reads VAA_DATABASE_URL, migrates, does one thing and prints one line per
result; a refusal is one line on stderr and exit status 2, bad data files status 1.
"""

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from tests.conftest import DEMO_FILES
from vaa import cli
from vaa.models import Account, Election
from vaa.settings import Settings, get_settings

PASSWORD = "correct horse battery"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def vaa(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """Run `vaa ARGS...` on the test database; returns (status, stdout, stderr)."""
    monkeypatch.setenv("VAA_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = cli.main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    yield run


def test_migrate_says_the_schema_is_up_to_date(vaa: Run) -> None:
    assert vaa("migrate") == (0, "the database schema is up to date\n", "")


def test_load_publishes_once_and_export_writes_the_two_files(
    vaa: Run, engine: sa.Engine, tmp_path: Path
) -> None:
    status, out, _ = vaa("load", *map(str, DEMO_FILES))
    assert status == 0 and out.startswith("demo: published as version 1 (")
    status, out, _ = vaa("load", *map(str, DEMO_FILES))
    assert status == 0 and out.startswith("demo: unchanged, version 1 (")
    status, out, _ = vaa("export", "demo", str(tmp_path))
    assert status == 0
    assert out.split() == [
        str(tmp_path / "questionnaires" / "demo.yaml"),
        str(tmp_path / "parties" / "demo.yaml"),
    ]
    assert vaa("export", "nowhere", str(tmp_path)) == (
        2,
        "",
        "vaa export: no published election 'nowhere'\n",
    )


def test_a_bad_file_changes_nothing_and_names_its_line(
    vaa: Run, engine: sa.Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "questionnaire.yaml"
    bad.write_text("election: town\ntitle: {en: Town}\nlanguages: [en]\n", encoding="utf-8")
    status, out, err = vaa("load", str(bad))
    assert (status, out) == (1, "")
    first, *problems = err.splitlines()
    assert first.startswith("vaa load: nothing was changed; ")
    assert problems and all(line.startswith(f"{bad}:") for line in problems)
    with Session(engine) as db:
        assert db.exec(select(Election)).all() == []


def test_user_commands_add_list_role_disable_and_reset(vaa: Run, engine: sa.Engine) -> None:
    add = ("user", "add", "--password-stdin")
    assert vaa(*add, "Nino@Example.ge", "--role", "editor", stdin=PASSWORD) == (
        0,
        "added nino@example.ge (editor)\n",
        "",
    )
    status, out, _ = vaa("user", "list")
    assert status == 0
    assert out.split("\t")[:3] == ["nino@example.ge", "editor", "active"]
    assert out.rstrip().endswith("last sign-in: never")
    assert vaa("user", "role", "nino@example.ge", "facilitator")[:2] == (
        0,
        "nino@example.ge: now facilitator\n",
    )
    status, out, _ = vaa("user", "reset", "nino@example.ge", "--base-url", "https://vaa.ge/")
    assert status == 0
    assert out.splitlines()[1].startswith("  https://vaa.ge/password/")
    assert vaa("user", "disable", "nino@example.ge")[:2] == (0, "nino@example.ge: disabled\n")
    with Session(engine) as db:
        account = db.exec(select(Account)).one()
    assert (account.email, account.role, account.active) == (
        "nino@example.ge",
        "facilitator",
        False,
    )


def test_refusals_are_one_line_with_status_two(vaa: Run, engine: sa.Engine) -> None:
    assert vaa("user", "list")[:2] == (0, "no accounts yet\n")
    status, _, err = vaa("user", "disable", "nobody@example.ge")
    assert status == 2 and err.startswith("vaa user: ") and len(err.splitlines()) == 1
    vaa("user", "add", "--password-stdin", "boss@example.ge", "--role", "admin", stdin=PASSWORD)
    status, _, err = vaa("user", "disable", "boss@example.ge")  # the last admin
    assert status == 2 and err.startswith("vaa user: ") and len(err.splitlines()) == 1
    with Session(engine) as db:
        assert db.exec(select(Account.active)).all() == [True]
    status, _, err = vaa("user", "add", "x@example.ge", "--role", "editor")  # no terminal
    assert (status, err) == (
        2,
        "vaa user: no terminal to ask for the password on: use --password-stdin\n",
    )
