"""Per-request context (IP, request id, actor, scope) for the audit trail and the logs."""

import contextvars
from dataclasses import dataclass


@dataclass
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user: object = None
    scope_path: str = ""


_current = contextvars.ContextVar("yinfa_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or RequestContext()


def activate(ctx: RequestContext):
    return _current.set(ctx)


def deactivate(token):
    _current.reset(token)
