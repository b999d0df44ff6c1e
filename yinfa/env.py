"""Strict helpers that read settings from the environment and fail loudly.

A value that is present but malformed is an error, never silently replaced by a default.
"""

import json
import os
import secrets
from pathlib import Path

REQUIRED = object()


class ImproperEnvironment(RuntimeError):
    """Raised when an environment variable is missing or malformed."""


def _raw(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        if default is REQUIRED:
            raise ImproperEnvironment(f"environment variable {name} is required")
        return None
    return value


def env_str(name, default=REQUIRED):
    value = _raw(name, default)
    return default if value is None else value


def env_bool(name, default=REQUIRED):
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnvironment(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name, default=REQUIRED, *, minimum=None, maximum=None):
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperEnvironment(f"{name} must be an integer, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperEnvironment(f"{name} must be >= {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperEnvironment(f"{name} must be <= {maximum}, got {number}")
    return number


def env_list(name, default=REQUIRED):
    value = _raw(name, default)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name, choices, default=REQUIRED):
    value = env_str(name, default)
    if value not in choices:
        raise ImproperEnvironment(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def development_secrets(path: Path) -> dict:
    """Secrets for development and the demo, generated once into a git-ignored file.

    Production must set every secret in the environment; this is never used there.
    """
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "YINFA_FIELD_KEYS": "dev1:" + secrets.token_hex(16),
        "YINFA_BLIND_INDEX_KEY": secrets.token_hex(32),
    }
    path.write_text(json.dumps(generated, indent=2))
    path.chmod(0o600)
    return generated
