"""JSON Schema of the front matter, for editors (YAML language server, VS Code)."""

from __future__ import annotations

from typing import Any

from pmkb.config import KBConfig
from pmkb.model import MODELS


def json_schema(kind: str, config: KBConfig) -> dict[str, Any]:
    schema = MODELS[kind].model_json_schema(mode="validation")
    properties = schema["properties"]
    # Unknown keys are warnings (PMKB014), not errors: editors should say so softly.
    schema["additionalProperties"] = True
    if kind == "postmortem":
        properties["severity"] = {"type": "string", "enum": list(config.severities), "title": "Severity"}
        properties["category"] = {
            "anyOf": [{"type": "string", "enum": list(config.categories)}, {"type": "null"}],
            "default": None,
            "title": "Category",
        }
        # resolved_at is required unless the postmortem is a draft.
        schema["if"] = {"not": {"properties": {"status": {"const": "draft"}}, "required": ["status"]}}
        schema["then"] = {"required": ["resolved_at"]}
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://pmkb.dev/schema/{kind}.json",
        "title": f"pmkb {kind} front matter",
        **schema,
    }
