"""Where each role's work is: the page after sign-in, and the staff navigation's links."""

from vaa.models import Account

HOMES = {
    "admin": "/admin",
    "editor": "/admin/elections",
    "facilitator": "/facilitator",
    "party": "/party",  # goes on to the party's own page
}


def home_path(account: Account | None) -> str:
    """The page an account starts on (sign-in, a used password link, a refused page)."""
    if account is None:
        return "/login"
    return HOMES.get(account.role, "/account")
