"""Liveness and readiness."""

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "The database is unreachable."}})
def read_health(session: SessionDep) -> JSONResponse:
    """Report whether the app and its database answer."""
    try:
        session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
    except sa.exc.SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
