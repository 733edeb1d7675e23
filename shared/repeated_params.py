"""A query parameter that takes one value, given more than once, is refused with a 422.

FastAPI reads `?period=2025&period=2026` for a parameter of one value as its last value and
answers as if the first were never sent: a script that meant both periods gets one, silently.
Parameters declared as a list (`?status=open&status=done`) take every value and pass.
"""

from collections.abc import Iterator, Sequence
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.errors import Invalid

REPEATED_MESSAGE = "Параметр указан несколько раз, а принимает одно значение"

_SEQUENCES = (list, tuple, set, frozenset, Sequence)
# Where a route keeps the names (aliases) of its query parameters that take one value.
_CACHED = "_soko_single_valued_query"


def _takes_many(annotation: Any) -> bool:
    """Whether a parameter's annotation is a list (or other sequence), optional or not."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _takes_many(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return any(_takes_many(arg) for arg in get_args(annotation))
    kind = origin or annotation
    # A text is a sequence of characters, an enum of texts (`ScopeType`) too: one value each.
    return (
        isinstance(kind, type)
        and issubclass(kind, _SEQUENCES)
        and not issubclass(kind, str | bytes)
    )


def _query_params(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    """(name in the query, annotation) of each query parameter a route or its dependencies
    read; a parameter that is a model (`Annotated[EventFilter, Query()]`) gives its fields."""
    for field in dependant.query_params:
        annotation = field.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, info in annotation.model_fields.items():
                yield info.alias or name, info.annotation
        else:
            yield field.alias, annotation
    for sub in dependant.dependencies:
        yield from _query_params(sub)


def _single_valued_of(route: APIRoute) -> frozenset[str]:
    names: frozenset[str] | None = getattr(route, _CACHED, None)
    if names is None:
        names = frozenset(
            name
            for name, annotation in _query_params(route.dependant)
            if not _takes_many(annotation)
        )
        setattr(route, _CACHED, names)
    return names


def repeated_param_errors(request: Request) -> list[dict[str, Any]]:
    """The `errors` entries of a 422, one per single-valued query parameter sent more than once
    (`loc` ["query", name], type "repeated_parameter"); empty when none is.

    Names the route does not declare are not looked at: they are ignored like any unknown one.
    """
    route = request.scope.get("route")
    query = request.query_params
    if not isinstance(route, APIRoute) or len(query) == len(query.multi_items()):
        return []
    counted: dict[str, int] = {}
    for name, _ in query.multi_items():
        counted[name] = counted.get(name, 0) + 1
    single = _single_valued_of(route)
    return [
        {"loc": ["query", name], "msg": REPEATED_MESSAGE, "type": "repeated_parameter"}
        for name, count in counted.items()
        if count > 1 and name in single
    ]


async def refuse_repeated_params(request: Request) -> None:
    """422 problem+json naming each single-valued query parameter given more than once."""
    if errors := repeated_param_errors(request):
        fields = ", ".join(f"query.{e['loc'][1]}" for e in errors)
        raise Invalid(f"{REPEATED_MESSAGE}: {fields}", errors=errors)
