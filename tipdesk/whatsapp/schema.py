"""Checks a JSON body against Meta's published send-message schema (an OpenAPI extract).

Only the JSON Schema keywords that extract uses are understood: `$ref`, `type`, `enum`,
`required`, `properties`, `additionalProperties: false`, `items`, `minItems`/`maxItems`,
`maxLength`, `pattern`, `allOf`, `anyOf`, `oneOf`. As OpenAPI writers mean it, and unlike strict
JSON Schema, `additionalProperties: false` inside an `allOf` allows the properties its siblings
declare (Meta's TextMessage would otherwise refuse its own `messaging_product`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


class SchemaViolation(ValueError):
    """Where the body breaks the schema, as a JSON path and a reason."""


class SendSchema:
    def __init__(self, document: dict[str, Any]) -> None:
        self.source = document["source"]
        self.schemas: dict[str, Any] = document["components"]["schemas"]
        self.messages: dict[str, str] = document["messages"]
        self.read: str = document["read"]

    @classmethod
    def load(cls, path: Path) -> SendSchema:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def check(self, body: Any) -> None:
        """Raises SchemaViolation when Meta's schema refuses this POST /messages body."""
        read = isinstance(body, dict) and body.get("status") == "read"
        kind = body.get("type") if isinstance(body, dict) else None
        name = self.read if read else self.messages.get(str(kind))
        if name is None:
            raise SchemaViolation(f"$.type: {str(kind)[:40]!r} is not a type the desk sends")
        self._check(body, {"$ref": f"#/components/schemas/{name}"}, "$", set())

    def _check(self, value: Any, schema: dict[str, Any], where: str, siblings: set[str]) -> None:
        schema = self._resolve(schema)
        for part in schema.get("allOf", []):
            self._check(value, part, where, siblings | self._declared(schema))
        self._check_one_of(value, schema, where)
        if "anyOf" in schema and not any(self._fits(value, s) for s in schema["anyOf"]):
            raise SchemaViolation(f"{where}: fits none of the allowed forms")
        expected = schema.get("type")
        if expected is not None and not _is(value, expected):
            raise SchemaViolation(f"{where}: must be of type {expected}")
        if "enum" in schema and value not in schema["enum"]:
            raise SchemaViolation(f"{where}: must be one of {schema['enum']}")
        if isinstance(value, str):
            self._check_string(value, schema, where)
        elif isinstance(value, list):
            self._check_array(value, schema, where)
        elif isinstance(value, dict):
            self._check_object(value, schema, where, siblings)

    def _check_one_of(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if "oneOf" not in schema:
            return
        fitting = sum(self._fits(value, option) for option in schema["oneOf"])
        if fitting != 1:
            raise SchemaViolation(f"{where}: must fit exactly one allowed form, fits {fitting}")

    def _check_string(self, value: str, schema: dict[str, Any], where: str) -> None:
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise SchemaViolation(f"{where}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaViolation(f"{where}: does not match {schema['pattern']}")

    def _check_array(self, value: list[Any], schema: dict[str, Any], where: str) -> None:
        if len(value) < schema.get("minItems", 0):
            raise SchemaViolation(f"{where}: needs at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaViolation(f"{where}: allows at most {schema['maxItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                self._check(item, schema["items"], f"{where}[{index}]", set())

    def _check_object(
        self, value: dict[str, Any], schema: dict[str, Any], where: str, siblings: set[str]
    ) -> None:
        for key in schema.get("required", []):
            if key not in value:
                raise SchemaViolation(f"{where}.{key}: is required")
        properties: dict[str, Any] = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                self._check(item, properties[key], f"{where}.{key}", set())
            elif schema.get("additionalProperties") is False and key not in siblings:
                raise SchemaViolation(f"{where}.{key}: is not allowed here")

    def _fits(self, value: Any, schema: dict[str, Any]) -> bool:
        try:
            self._check(value, schema, "$", set())
        except SchemaViolation:
            return False
        return True

    def _declared(self, schema: dict[str, Any]) -> set[str]:
        """Every property the parts of an `allOf` declare between them."""
        names: set[str] = set()
        for part in schema.get("allOf", []):
            part = self._resolve(part)
            names |= set(part.get("properties", {})) | self._declared(part)
        return names

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[str(schema["$ref"]).rsplit("/", 1)[1]]
        return schema


def _is(value: Any, expected: str) -> bool:
    if isinstance(value, bool) and expected in ("integer", "number"):
        return False
    return isinstance(value, TYPES.get(expected, (object,)))
