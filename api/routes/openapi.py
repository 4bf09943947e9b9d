"""What the JSON routes declare for /docs and schemathesis: strict request bodies with an
example, and the problems (api.schemas.Problem, the one error shape) a route may answer."""

from typing import Any

from pydantic import ConfigDict

from api.schemas import Problem

Responses = dict[int | str, dict[str, Any]]


def strict_body(example: dict[str, Any]) -> ConfigDict:
    """A request body's config: unknown fields and lax types (e.g. false for 0) are
    refused, and `example` is shown in /docs."""
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [example]})


def problems(meanings: dict[int, str]) -> Responses:
    """OpenAPI responses: each status answered with a Problem, and what it means here."""
    return {status: {"model": Problem, "description": text} for status, text in meanings.items()}
