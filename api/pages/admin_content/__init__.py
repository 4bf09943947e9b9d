"""The admin content UI (issue 4): elections, questionnaire, entities and positions,
translations, diagnostics, preview, publishing and spreadsheets, under /admin/elections.

Only admins and editors may use it; every form carries the session's CSRF token and the
draft revision it was opened at (see core.py).
"""

from fastapi import APIRouter, Depends

from api.pages.admin_content import (
    elections,
    items,
    lifecycle,
    preview_results,
    races,
    review,
    sheets,
    texts,
)
from api.pages.admin_content.core import editor_guard

# Only editors and admins: the guard runs before anything else a route depends on.
router = APIRouter(include_in_schema=False, dependencies=[Depends(editor_guard)])
# The generic item routes (/{kind}/{item}) go last, after every fixed path.
for _part in (elections, lifecycle, texts, review, preview_results, sheets, races, items):
    router.include_router(_part.router)

__all__ = ["router"]
