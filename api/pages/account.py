"""Signing in and out, the account page, changing the password, creating the first admin."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import csrf
from api.auth import (
    SignedInDep,
    clear_session_cookie,
    csrf_protect,
    require_role,
    safe_next,
    signed_in_redirect,
)
from api.deps import FormText, NewPassword, NewPasswordDep, SessionDep
from api.errors import status_of
from api.navigation import home_path
from api.pages.admin import render_admin
from api.throttle import client_address
from vaa import accounts
from vaa.accounts import ROLES, InvalidCredentials, TooManyFailures
from vaa.errors import VaaError
from vaa.models import Account

router = APIRouter(include_in_schema=False)
any_role = require_role(*ROLES)
AnyUser = Annotated[Account, Depends(any_role)]


@dataclass(frozen=True)
class NewAccount:
    """The form of a one-time link that creates an account (the first admin, a party's):
    an e-mail and a new password typed twice."""

    email: str
    new_password: NewPassword

    @property
    def shown_email(self) -> str:
        """The e-mail to fill the form again with, cut to the longest an address can be."""
        return self.email[:254]


def _new_account(new_password: NewPasswordDep, email: FormText = "") -> NewAccount:
    return NewAccount(email, new_password)


NewAccountDep = Annotated[NewAccount, Depends(_new_account)]


def _client(request: Request) -> str:
    return client_address(request)


def _minutes(exc: TooManyFailures) -> int:
    """Whole minutes until the next attempt counts (rounded up, at least one)."""
    return max(1, -(-int(exc.retry_after.total_seconds()) // 60))


def _home(account: Account) -> str:
    return home_path(account)


@router.get("/login", response_class=HTMLResponse)
def read_login(
    request: Request,
    signed: SignedInDep,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
    signed_out: str | None = None,
) -> Response:
    """Show the sign-in form (or go on, when already signed in)."""
    if signed:
        return RedirectResponse(safe_next(next_path, _home(signed.account)), status_code=303)
    return render_admin(
        request,
        "admin/login.html",
        next=safe_next(next_path, ""),
        email="",
        signed_out=signed_out is not None,
    )


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def login(
    request: Request,
    session: SessionDep,
    email: FormText = "",
    password: FormText = "",
    next_path: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Sign in with an e-mail address and password (rate-limited)."""
    try:
        account = accounts.authenticate(
            session, email=email, password=password, client=_client(request)
        )
    except TooManyFailures as exc:
        response = render_admin(
            request,
            "admin/login.html",
            status_code=429,
            error="rate_limited",
            minutes=_minutes(exc),
            next=safe_next(next_path, ""),
            email=email[:254],
        )
        response.headers["Retry-After"] = str(_minutes(exc) * 60)
        return response
    except InvalidCredentials:
        session.commit()  # keep the failure: it counts towards the limit and is audited
        return render_admin(
            request,
            "admin/login.html",
            status_code=400,
            error="credentials",
            next=safe_next(next_path, ""),
            email=email[:254],
        )
    return signed_in_redirect(request, session, account, safe_next(next_path, _home(account)))


async def _logout_csrf(request: Request, signed: SignedInDep) -> None:
    # Signing out of a session that has already ended changes nothing: no token needed.
    if signed:
        await csrf.check(request, signed.session.csrf_token)


@router.post("/logout", dependencies=[Depends(_logout_csrf)])
def logout(request: Request, session: SessionDep, signed: SignedInDep) -> Response:
    """Sign out: the session is deleted on the server and its cookie cleared."""
    if signed:
        accounts.end_session(session, signed_in=signed)
        session.commit()
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/account", response_class=HTMLResponse)
def read_account(request: Request, user: AnyUser, password: str | None = None) -> HTMLResponse:
    """Show who is signed in, with links to change the password and sign out."""
    return render_admin(request, "admin/account.html", changed=password == "changed")


@router.get("/account/password", response_class=HTMLResponse)
def read_password_form(request: Request, user: AnyUser) -> HTMLResponse:
    """Show the form to change one's password."""
    return render_admin(request, "admin/password.html")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: SessionDep,
    user: AnyUser,
    signed: SignedInDep,
    new_password: NewPasswordDep,
    current: FormText = "",
) -> Response:
    """Change one's password; every other session of the account is signed out."""
    assert signed is not None  # the guard let us through
    error: VaaError | None = None
    try:
        new = new_password.checked()
        accounts.change_password(
            session, signed_in=signed, current=current, new=new, client=_client(request)
        )
    except VaaError as exc:
        error = exc
    if error is not None:
        session.commit()  # a wrong current password is kept as a failed sign-in
        status = status_of(error)
        return render_admin(
            request,
            "admin/password.html",
            status_code=status,
            error=error.code,
            minutes=_minutes(error) if isinstance(error, TooManyFailures) else None,
        )
    session.commit()
    return RedirectResponse("/account?password=changed", status_code=303)


@router.get("/setup/{token}", response_class=HTMLResponse)
def read_setup(request: Request, session: SessionDep, token: str) -> HTMLResponse:
    """Show the form that creates the first admin (a one-time link from `vaa serve`)."""
    if accounts.valid_setup_link(session, token=token) is None:
        return render_admin(request, "admin/setup_invalid.html", status_code=404)
    return render_admin(request, "admin/setup.html", email="")


@router.post("/setup/{token}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def create_first_admin(
    request: Request, session: SessionDep, token: str, form: NewAccountDep
) -> Response:
    """Create the first admin and sign them in; the link then stops working."""
    if accounts.valid_setup_link(session, token=token) is None:
        return render_admin(request, "admin/setup_invalid.html", status_code=404)
    try:
        password = form.new_password.checked()
        account = accounts.complete_setup(session, token=token, email=form.email, password=password)
    except VaaError as exc:
        session.rollback()
        return render_admin(
            request, "admin/setup.html", status_code=400, error=exc.code, email=form.shown_email
        )
    return signed_in_redirect(request, session, account, "/admin")
