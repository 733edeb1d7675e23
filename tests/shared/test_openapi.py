"""What the three OpenAPI documents promise about input and errors, checked on every operation.

These fail when a new endpoint forgets a rule of tests/shared/test_validation.py: an integer
or a number without bounds, a PATCH body that is not an `UpdateSchema`, an error answer not
documented.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.settings import Settings
from shared.validation import INT64_MAX, MEASURE_MAX, UpdateSchema

FACTORIES = {"api": create_api, "surveys": create_surveys, "reports": create_reports}
OFFLINE = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", environment="test")
APPS = {name: create(OFFLINE) for name, create in FACTORIES.items()}
DOCS = {name: app.openapi() for name, app in APPS.items()}


def operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for service, doc in DOCS.items():
        for path, items in doc["paths"].items():
            for method, operation in items.items():
                if path.startswith("/v1/"):
                    yield service, method.upper(), path, operation


def integers(node: Any, doc: dict, where: str, seen: frozenset = frozenset()) -> Iterator:
    """(where, schema) of every integer or number a request may carry, through $refs and
    nesting."""
    if isinstance(node, list):
        for item in node:
            yield from integers(item, doc, where, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from integers(doc["components"]["schemas"][name], doc, where, seen | {name})
        return
    if node.get("type") in ("integer", "number"):
        yield where, node
    for key, value in node.items():
        if key == "properties":
            for prop, schema in value.items():
                yield from integers(schema, doc, f"{where}.{prop}", seen)
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "schema"):
            yield from integers(value, doc, where, seen)
        elif key == "content":
            for media in value.values():
                yield from integers(media, doc, where, seen)


def test_every_integer_and_number_a_request_carries_is_bounded():
    unbounded = []
    for service, method, path, operation in operations():
        doc = DOCS[service]
        for parameter in operation.get("parameters", []):
            found = integers(parameter["schema"], doc, f"{parameter['in']}.{parameter['name']}")
            unbounded += [(service, method, path, w) for w, s in found if not _bounded(s)]
        body = operation.get("requestBody", {}).get("content", {})
        for where, schema in integers(list(body.values()), doc, "body"):
            if not _bounded(schema):
                unbounded.append((service, method, path, where))
    assert unbounded == [], "use shared.validation's Count, Int32, PositiveInt32 or Measure"


def _bounded(schema: dict) -> bool:
    """An integer within bigint; a number within ±10^15, so that sums of it stay finite."""
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    limit = INT64_MAX if schema["type"] == "integer" else MEASURE_MAX
    return low is not None and high is not None and -limit - 1 <= low <= high <= limit


def test_every_operation_documents_its_errors_as_problem_json():
    missing = []
    for service, method, path, operation in operations():
        responses = operation["responses"]
        for status in ("401", "422", "503"):
            if status not in responses:
                missing.append((service, method, path, status))
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = response.get("content", {})
                if content != {"application/problem+json": {"schema": _PROBLEM}}:
                    missing.append((service, method, path, status, content))
    assert missing == []
    for doc in DOCS.values():
        assert doc["components"]["schemas"]["Problem"]["required"] == [
            "type",
            "title",
            "status",
            "detail",
        ]


_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def patch_bodies() -> Iterator[tuple[str, str, type]]:
    for service, app in APPS.items():
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if isinstance(route, APIRoute) and "PATCH" in route.methods and route.body_field:
                yield service, route.path, route.body_field.field_info.annotation


@pytest.mark.parametrize(("service", "path", "model"), list(patch_bodies()))
def test_a_patch_body_is_an_update_schema_or_a_command(service, path, model):
    if issubclass(model, UpdateSchema):
        return
    # A command (new status, ...) has what it does as a required field; null there is a 422.
    message = f"{service} PATCH {path}: {model.__name__} should derive from UpdateSchema"
    assert any(field.is_required() for field in model.model_fields.values()), message


def test_update_schemas_document_null_only_where_it_clears():
    for service, path, model in patch_bodies():
        if not issubclass(model, UpdateSchema):
            continue
        properties = DOCS[service]["components"]["schemas"][model.__name__]["properties"]
        for name, field in model.model_fields.items():
            nullable = {"type": "null"} in properties[name].get("anyOf", [])
            clearable = any(type(m).__name__ == "Clearable" for m in field.metadata)
            assert nullable == clearable, (service, path, name)
