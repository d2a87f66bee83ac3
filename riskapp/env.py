"""Strict readers for configuration from environment variables.

Every setting of the project is read through these helpers, so that an invalid value stops
the process at start with a message naming the variable, the value and the rule.
"""

import os
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigurationError(ValueError):
    """An environment variable holds a value the project cannot use."""


def read_string(name: str, default: str | None = None) -> str | None:
    """Return the variable, or the contents of the file named by ``<NAME>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(f"{name}_FILE={file_name!r}: the file cannot be read ({error}).") from error
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def read_bool(name: str, default: bool) -> bool:
    value = read_string(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off.")


def read_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = read_string(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as error:
        raise ConfigurationError(f"{name}={value!r}: expected an integer.") from error
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name}={value!r}: must be at least {minimum}.")
    if maximum is not None and number > maximum:
        raise ConfigurationError(f"{name}={value!r}: must be at most {maximum}.")
    return number


def read_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blank items are dropped."""
    value = read_string(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
