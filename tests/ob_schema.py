"""The official 1EdTech OB 3.0 AchievementCredential JSON Schema (tests/data/schemas), offline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMAS = Path(__file__).with_name("data") / "schemas"


@cache
def achievement_credential_schema() -> Draft201909Validator:
    schema = json.loads((SCHEMAS / "ob_v3p0_achievementcredential.json").read_text("utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_problems(document: Mapping[str, Any]) -> list[str]:
    """What the OB 3.0 schema finds wrong with `document`, as "path: message" (none: it passes)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in achievement_credential_schema().iter_errors(document)
    ]


def status_problems(status: Any) -> list[str]:
    """What the OB 3.0 schema's own `CredentialStatus` definition finds wrong with `status` (for
    a CLR transcript, which the OB schema does not describe as a whole)."""
    schema = achievement_credential_schema().schema
    validator = Draft201909Validator({"$defs": schema["$defs"], "$ref": "#/$defs/CredentialStatus"})
    return [error.message for error in validator.iter_errors(status)]
