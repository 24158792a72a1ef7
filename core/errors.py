"""Errors shared by every layer. None of them carries a traceback to the user."""

from __future__ import annotations

from dataclasses import dataclass, field


class ShomeiError(Exception):
    """Base of every error shomei raises on purpose."""


class ConfigError(ShomeiError):
    """A setting is missing, malformed or points at something unreachable."""

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting}: {problem}")


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field, as a message id plus its parameters.

    The message id is looked up in the user's language by ``core.i18n``; ``field`` is the
    name the form or the API used, so the page can put the message next to the input.
    """

    field: str
    message_id: str
    params: dict[str, object] = field(default_factory=dict)


class ValidationFailed(ShomeiError):
    """The input was refused; ``errors`` says which fields and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message_id}" for e in errors))


class PluginNotFound(ShomeiError):
    """No registered plugin answers to the requested code."""

    def __init__(self, kind: str, code: str) -> None:
        self.kind = kind
        self.code = code
        super().__init__(f"no {kind} plugin registered under code {code!r}")


class NotFound(ShomeiError):
    """No such row belongs to the tenant (another tenant's row is reported the same way)."""

    def __init__(self, message_id: str, ident: object) -> None:
        self.message_id = message_id
        self.params: dict[str, object] = {"id": ident}
        super().__init__(f"{message_id}: {ident!r}")
