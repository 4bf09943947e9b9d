"""The `vaa` command: serve, load, export, match."""

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from vaa.bootstrap import prepare_database
from vaa.db import create_db_engine, migrate, session_scope
from vaa.errors import Invalid, VaaError
from vaa.formats import DataError, parties_yaml, questionnaire_yaml
from vaa.loading import current_content, load_files
from vaa.rules import METHODS, MISSING
from vaa.settings import Settings, get_settings


class CliError(Invalid):
    """A problem of the command line itself (a flag, a file) to print before exiting with 2."""

    def __init__(self, message: str) -> None:
        super().__init__("cli", message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "VAA_" + "_".join(map(str, error["loc"])).upper()
            print(f"vaa {args.command}: setting {name}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        status: int = args.run(args)
    except DataError as exc:
        print(
            f"vaa {args.command}: nothing was changed; {len(exc.problems)} problem(s):",
            file=sys.stderr,
        )
        print(exc, file=sys.stderr)
        return 1
    except VaaError as exc:  # the English message; the code for scripts
        print(f"vaa {args.command}: {exc}", file=sys.stderr)
        return 2
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaa", description="Voting advice application.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web app (migrates; loads the demo if empty)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.set_defaults(run=_serve)

    load = commands.add_parser("load", help="validate and publish questionnaire/party files")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.set_defaults(run=_load)

    export = commands.add_parser("export", help="write an election back out as its two files")
    export.add_argument("election")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.set_defaults(run=_export)

    static = commands.add_parser(
        "export-static", help="write an election's voter pages as files for any static host"
    )
    static.add_argument("election", nargs="?", help="its slug (or --all)")
    static.add_argument("directory", type=Path, metavar="DIR")
    static.add_argument("--all", action="store_true", help="every published election")
    static.add_argument("--api-url", help="where the opt-in donation goes (else it is removed)")
    static.set_defaults(run=_export_static)

    match = commands.add_parser("match", help="score one voter's answers")
    match.add_argument("election")
    match.add_argument(
        "--answers",
        type=Path,
        required=True,
        metavar="FILE",
        help="JSON like the API's match request ('-' for standard input)",
    )
    match.add_argument("--method", choices=METHODS)
    match.add_argument("--missing", choices=MISSING)
    match.add_argument("--language")
    match.add_argument(
        "--constituency",
        help="the voter's place: rank each race they vote in (every race if omitted)",
    )
    match.add_argument("--json", action="store_true", help="print the API's JSON response")
    match.set_defaults(run=_match)

    migrate_cmd = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate_cmd.set_defaults(run=_migrate)

    conformance = commands.add_parser(
        "conformance", help="regenerate the browser engine's conformance vectors"
    )
    conformance.add_argument(
        "--out", type=Path, metavar="PATH", help="default: tests/conformance/vectors.json"
    )
    conformance.set_defaults(run=_conformance)

    user = commands.add_parser("user", help="manage sign-in accounts").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    user_add = user.add_parser("add", help="add an account (asks for its password)")
    user_add.add_argument("email", metavar="EMAIL")
    user_add.add_argument(
        "--role", required=True, choices=["admin", "editor", "facilitator", "party"]
    )
    user_add.add_argument(
        "--entity", metavar="ELECTION/ENTITY", help="the party's entity (party only)"
    )
    user_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    user_add.set_defaults(run=_user_add)
    user.add_parser("list", help="list every account").set_defaults(run=_user_list)
    for name, text in (
        ("disable", "disable an account (signed out everywhere)"),
        ("enable", "enable a disabled account"),
    ):
        cmd = user.add_parser(name, help=text)
        cmd.add_argument("email", metavar="EMAIL")
        cmd.set_defaults(run=_user_active, active=name == "enable")
    user_role = user.add_parser("role", help="give an account another role")
    user_role.add_argument("email", metavar="EMAIL")
    user_role.add_argument("role", choices=["admin", "editor", "facilitator", "party"])
    user_role.add_argument(
        "--entity", metavar="ELECTION/ENTITY", help="the party's entity (party only)"
    )
    user_role.set_defaults(run=_user_role)
    user_reset = user.add_parser(
        "reset", help="void an account's password and print a one-time link to set a new one"
    )
    user_reset.add_argument("email", metavar="EMAIL")
    user_reset.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        help="where the site is reached, for the printed link (default http://127.0.0.1:8000)",
    )
    user_reset.set_defaults(run=_user_reset)
    return parser


def _conformance(args: argparse.Namespace) -> int:
    from vaa.conformance import DEFAULT_PATH, write_vectors

    path = args.out or DEFAULT_PATH
    print(f"{path}: {write_vectors(path)} cases")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # the web stack loads only for this command

    settings = get_settings()
    engine, loaded = prepare_database(settings)
    engine.dispose()  # each worker opens its own
    for outcome in loaded:
        print(f"loaded {outcome.slug} (version {outcome.number}) into an empty database")
    _print_setup_link(settings, args.host, args.port)
    _announce_hub(settings, args.host, args.port)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # The app believes X-Forwarded-* only from VAA_TRUSTED_PROXIES (api/app.py);
        # uvicorn's own default would trust them from any loopback address.
        proxy_headers=False,
        # Open projector streams would hold a shutdown for minutes; their EventSource
        # reconnects by itself to the restarted server.
        timeout_graceful_shutdown=5,
        # asyncio's loop serves a saturated worker's connections in turn: at 64 connections
        # on POST match, p99 42-47 ms against 710-740 ms with uvloop, for 5 % fewer req/s
        # (bench/bench_api.py --loop)
        loop="asyncio",
    )
    return 0


@contextmanager
def _database() -> Iterator[sa.Engine]:
    """The configured database, migrated to the newest schema; closed afterwards."""
    engine = create_db_engine(get_settings())
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def _load(args: argparse.Namespace) -> int:
    with _database() as engine, session_scope(engine) as session:
        outcomes = load_files(session, paths=args.files, actor="cli")
    for o in outcomes:
        state = "published as" if o.changed else "unchanged,"
        print(f"{o.slug}: {state} version {o.number} ({o.version[:12]})")
    return 0


def _export(args: argparse.Namespace) -> int:
    with _database() as engine, session_scope(engine) as session:
        content = current_content(session, args.election)
    if content is None:
        raise CliError(f"no published election {args.election!r}")
    q_path = args.directory / "questionnaires" / f"{content.slug}.yaml"
    p_path = args.directory / "parties" / f"{content.slug}.yaml"
    for path, text in ((q_path, questionnaire_yaml(content)), (p_path, parties_yaml(content))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


def _export_static(args: argparse.Namespace) -> int:
    from api.app import create_app  # the web stack loads only for this command
    from api.static_export import export_static
    from vaa.store import published_versions

    if args.all == (args.election is not None):
        raise CliError("give one ELECTION or --all")
    settings = get_settings()
    with _database() as engine, session_scope(engine) as session:
        slugs = [e.slug for e, _v in published_versions(session)]
    wanted = slugs if args.all else [args.election]
    if not wanted:
        raise CliError("no published election")
    written = export_static(create_app(settings), wanted, args.directory, args.api_url)
    print(f"{args.directory}: {len(written)} files")
    return 0


def _match(args: argparse.Namespace) -> int:
    from vaa.publish import content_from_bundle
    from vaa.results import MatchRequest, prepare, score_answers
    from vaa.store import bundle_bytes, published_ref

    source = "standard input" if str(args.answers) == "-" else str(args.answers)
    try:
        raw = sys.stdin.read() if source == "standard input" else args.answers.read_text("utf-8")
        data = json.loads(raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {source}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise CliError(f"{source}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    if isinstance(data, dict) and "answers" not in data:
        data = {"answers": data}  # a bare {statement: option} map is accepted too
    for flag in ("method", "missing", "language", "constituency"):
        if getattr(args, flag):
            data[flag] = getattr(args, flag)
    try:
        request = MatchRequest.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors()]
        raise CliError(f"{source}: " + "; ".join(lines)) from exc
    with _database() as engine, session_scope(engine) as session:
        ref = published_ref(session, slug=args.election)
        if ref is None:
            raise CliError(f"no published election {args.election!r}")
        prepared = prepare(
            content_from_bundle(bundle_bytes(session, version_id=ref.version_id)), ref.checksum
        )
    try:
        result = score_answers(prepared, request)
    except VaaError as exc:
        raise CliError(f"{source}: {exc}") from exc
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_table(result))
    return 0


def _table(result: dict[str, Any]) -> str:
    """The ranking as text: one block per race, or one block of every entity."""
    head = (
        f"{result['election']} · {result['method']} · missing={result['missing']} · "
        f"{result['answered']} answered"
    )
    if result["constituency"]:
        head += f" · constituency {result['constituency']}"
    if not result["races"]:
        return "\n".join([head, *_ranking(result["results"], result["sensitivity"])])
    rows = [head]
    for race in result["races"]:
        rows += ["", f"{race['title']} ({race['race']})"]
        rows += _ranking(race["results"], race["sensitivity"])
        if race["did_not_answer"]:
            rows.append(f"did not answer: {', '.join(race['did_not_answer'])}")
    return "\n".join(rows)


def _ranking(results: list[dict[str, Any]], sensitivity: dict[str, str | None]) -> list[str]:
    from vaa.matching import round_half_up

    rows: list[str] = []
    for r in results:
        score = "   –" if r["score"] is None else f"{round_half_up(r['score']):4.0f}%"
        interval = (
            ""
            if r["interval"] is None
            else (
                f"  [{round_half_up(r['interval'][0]):.0f}–{round_half_up(r['interval'][1]):.0f}]"
            )
        )
        close = "  close to the top" if r["close_to_top"] and r["rank"] != 1 else ""
        borrowed = f"  (positions of {r['positions_from']})" if r.get("positions_from") else ""
        rows.append(f"{r['rank']:>3}. {score}{interval}  {r['name']}{borrowed}{close}")
    tops = set(sensitivity.values())
    if not results:
        pass
    elif len(tops) == 1:
        rows.append(f"the same top match under all four methods: {tops.pop()}")
    else:
        methods = ", ".join(f"{m}={e}" for m, e in sensitivity.items())
        rows.append(f"the top match depends on the method: {methods}")
    return rows


def _entity_option(value: str | None) -> tuple[str | None, str | None]:
    election, _, entity = (value or "").partition("/")
    if value and not (election and entity):
        raise CliError("--entity must be ELECTION/ENTITY, e.g. demo/green-coast")
    return election or None, entity or None


def _user_add(args: argparse.Namespace) -> int:
    from vaa.accounts import create_account

    election, entity = _entity_option(args.entity)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass("password: ")
        if getpass.getpass("the same password again: ") != password:
            raise CliError("the two passwords differ")
    else:
        raise CliError("no terminal to ask for the password on: use --password-stdin")
    with _database() as engine, session_scope(engine) as session:
        account = create_account(  # a refusal is a VaaError: main() prints it
            session,
            email=args.email,
            password=password,
            role=args.role,
            election=election,
            entity=entity,
            actor="cli",
        )
    bound = f" for {account.election}/{account.entity}" if account.entity else ""
    print(f"added {account.email} ({account.role}{bound})")
    return 0


def _user_list(_args: argparse.Namespace) -> int:
    from vaa.users import list_users

    with _database() as engine, session_scope(engine) as session:
        rows = list_users(session)
    for row in rows:
        a = row.account
        state = "active" if a.active else "disabled"
        if a.active and row.link_open:
            state = "waiting for its password link"
        last = row.last_sign_in.strftime("%Y-%m-%d %H:%M UTC") if row.last_sign_in else "never"
        bound = f" {a.election}/{a.entity}" if a.role == "party" else ""
        print(f"{a.email}\t{a.role}{bound}\t{state}\tlast sign-in: {last}")
    if not rows:
        print("no accounts yet")
    return 0


def _user_active(args: argparse.Namespace) -> int:
    from vaa.users import find_user, set_active

    with _database() as engine, session_scope(engine) as session:
        try:
            account = find_user(session, email=args.email)
            set_active(session, account=account, active=args.active, actor="cli")
        except VaaError as exc:
            raise CliError(str(exc)) from exc
        email = account.email
    print(f"{email}: {'enabled' if args.active else 'disabled'}")
    return 0


def _user_role(args: argparse.Namespace) -> int:
    from vaa.users import change_role, find_user

    election, entity = _entity_option(args.entity)
    with _database() as engine, session_scope(engine) as session:
        try:
            account = find_user(session, email=args.email)
            change_role(
                session,
                account=account,
                role=args.role,
                election=election,
                entity=entity,
                actor="cli",
            )
        except VaaError as exc:
            raise CliError(str(exc)) from exc
        email = account.email
    bound = f" for {election}/{entity}" if entity else ""
    print(f"{email}: now {args.role}{bound}")
    return 0


def _user_reset(args: argparse.Namespace) -> int:
    from vaa.users import PASSWORD_LINK_LIFETIME, find_user, reset_password

    with _database() as engine, session_scope(engine) as session:
        try:
            account = find_user(session, email=args.email)
            token = reset_password(session, account=account, actor="cli")
        except VaaError as exc:
            raise CliError(str(exc)) from exc
        email = account.email
    days = PASSWORD_LINK_LIFETIME.days
    print(f"{email}: the old password no longer works; send this link (once, within {days} days):")
    print(f"  {args.base_url.rstrip('/')}/password/{token}")
    return 0


def _print_setup_link(settings: Settings, host: str, port: int) -> None:
    """On an install without an admin, print a one-time link that creates the first one."""
    from vaa import audit
    from vaa.accounts import SETUP_LINK_LIFETIME, issue_setup_link

    engine = create_db_engine(settings)
    try:
        with session_scope(engine) as session:
            token = issue_setup_link(session)
            if token:
                audit.record(session, "cli", "account.setup_link", "account:first-admin")
    finally:
        engine.dispose()
    if token:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        hours = int(SETUP_LINK_LIFETIME.total_seconds() // 3600)
        print(f"no administrator yet: create the first one at this link (once, within {hours} h):")
        print(f"  http://{shown}:{port}/setup/{token}")


def _announce_hub(settings: Settings, host: str, port: int) -> None:
    """Print where phones join; serving to the room, put the LAN address in the join links."""
    from vaa.hub import ALL_INTERFACES, hub_url

    url = hub_url(host, port, settings.public_url)
    if url is None:
        if host in ALL_INTERFACES:
            print("no network address found for this machine: set VAA_PUBLIC_URL to the one")
            print("  participants' phones can open, e.g. VAA_PUBLIC_URL=http://192.168.43.10:8000")
        return
    if not settings.public_url:
        # The workers read their settings from the environment (each its own process).
        os.environ["VAA_PUBLIC_URL"] = url
        get_settings.cache_clear()
    print(f"group sessions: participants join at {url}/join (the QR codes say the same)")


def _migrate(_args: argparse.Namespace) -> int:
    with _database():
        pass
    print("the database schema is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
