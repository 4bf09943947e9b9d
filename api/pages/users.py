"""Accounts in the browser (admins): /admin/users, and /password/{token} for a one-time link."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import csrf_protect, signed_in_redirect
from api.deps import FormText, NewPasswordDep, SessionDep
from api.navigation import home_path
from api.pages.admin import admin_only, render_admin
from vaa import users
from vaa.accounts import ROLES
from vaa.errors import VaaError
from vaa.models import Account

router = APIRouter(include_in_schema=False)
Admin = Annotated[Account, Depends(admin_only)]
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an INTEGER column: larger is a 422


def _binding(entity: str, role: str) -> tuple[str | None, str | None]:
    """The form's "ELECTION/ENTITY" as (election, entity); only a party account keeps one."""
    election, _, key = entity.partition("/")
    if role != "party" or not (election and key):
        return None, None
    return election, key


def _link(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/password/{token}"


def _page(
    request: Request,
    session: SessionDep,
    *,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    context.setdefault("form", {"email": "", "role": "editor", "entity": ""})
    return render_admin(
        request,
        "admin/users.html",
        status_code=status_code,
        rows=users.list_users(session),
        roles=ROLES,
        entities=users.entity_choices(session),
        **context,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def read_users(
    request: Request, session: SessionDep, user: Admin, done: str | None = None
) -> HTMLResponse:
    """List every account, with forms to add one and to change, disable or reset others."""
    return _page(request, session, done=done)


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    session: SessionDep,
    user: Admin,
    email: FormText = "",
    role: FormText = "",
    entity: FormText = "",
) -> HTMLResponse:
    """Add an account; its one-time link to set a password is shown once, on this page."""
    election, key = _binding(entity, role)
    try:
        account, token = users.invite_user(
            session, email=email, role=role, election=election, entity=key, actor=user
        )
    except VaaError as exc:
        session.rollback()
        form = {"email": email[:254], "role": role, "entity": entity}
        return _page(request, session, status_code=400, error=exc.code, form=form)
    session.commit()
    return _page(request, session, new_link=_link(request, token), link_for=account.email)


def _change(session: SessionDep, account_id: int, action: str) -> Response:
    session.commit()
    return RedirectResponse(f"/admin/users?done={action}#account-{account_id}", status_code=303)


def _refused(request: Request, session: SessionDep, exc: VaaError, account_id: int) -> HTMLResponse:
    session.rollback()
    # The message goes beside the account's row, or on top when there is no such row.
    row = None if exc.code == "unknown" else account_id
    return _page(request, session, status_code=400, error=exc.code, error_for=row)


def _act(
    request: Request,
    session: SessionDep,
    account_id: int,
    done: str,
    act: Callable[[Account], object],
) -> Response:
    """Do `act` to the account and go back to its row, or show the refusal beside it."""
    try:
        act(users.get_user(session, account_id=account_id))
    except VaaError as exc:
        return _refused(request, session, exc, account_id)
    return _change(session, account_id, done)


def _activate(session: SessionDep, active: bool, user: Account) -> Callable[[Account], object]:
    return lambda account: users.set_active(session, account=account, active=active, actor=user)


@router.post("/admin/users/{account_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    session: SessionDep,
    user: Admin,
    account_id: AccountId,
    role: FormText = "",
    entity: FormText = "",
) -> Response:
    """Give an account another role (never the last active administrator's)."""
    election, key = _binding(entity, role)
    return _act(
        request,
        session,
        account_id,
        "role",
        lambda account: users.change_role(
            session, account=account, role=role, election=election, entity=key, actor=user
        ),
    )


@router.post("/admin/users/{account_id}/disable", response_class=HTMLResponse)
def disable_user(
    request: Request, session: SessionDep, user: Admin, account_id: AccountId
) -> Response:
    """Disable an account: it is signed out everywhere and cannot sign in."""
    return _act(request, session, account_id, "disabled", _activate(session, False, user))


@router.post("/admin/users/{account_id}/enable", response_class=HTMLResponse)
def enable_user(
    request: Request, session: SessionDep, user: Admin, account_id: AccountId
) -> Response:
    """Enable a disabled account again."""
    return _act(request, session, account_id, "enabled", _activate(session, True, user))


@router.post("/admin/users/{account_id}/reset", response_class=HTMLResponse)
def reset_password(
    request: Request, session: SessionDep, user: Admin, account_id: AccountId
) -> HTMLResponse:
    """Void an account's password and show a one-time link to set a new one."""
    try:
        account = users.get_user(session, account_id=account_id)
        token = users.reset_password(session, account=account, actor=user)
    except VaaError as exc:
        return _refused(request, session, exc, account_id)
    session.commit()
    return _page(request, session, new_link=_link(request, token), link_for=account.email)


@router.get("/password/{token}", response_class=HTMLResponse)
def read_password_link(request: Request, session: SessionDep, token: str) -> HTMLResponse:
    """Show the form that sets an account's password through its one-time link."""
    found = users.valid_password_link(session, token=token)
    if found is None:
        return render_admin(request, "admin/password_link_invalid.html", status_code=404)
    return render_admin(request, "admin/password_link.html", email=found[1].email)


@router.post("/password/{token}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def set_password_with_link(
    request: Request,
    session: SessionDep,
    token: str,
    new_password: NewPasswordDep,
) -> Response:
    """Set the password, sign in, and go to one's work; the link then stops working."""
    found = users.valid_password_link(session, token=token)
    if found is None:
        return render_admin(request, "admin/password_link_invalid.html", status_code=404)
    try:
        password = new_password.checked()
        account = users.set_password_with_link(session, token=token, password=password)
    except VaaError as exc:
        session.rollback()
        return render_admin(
            request,
            "admin/password_link.html",
            status_code=400,
            error=exc.code,
            email=found[1].email,
        )
    return signed_in_redirect(request, session, account, home_path(account))
