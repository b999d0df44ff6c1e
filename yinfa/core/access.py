"""Declaring how a view is protected. The AccessControlMiddleware refuses any view without a declaration.

- ``public``: anyone, logged in or not (login page, health check, static catalogue).
- ``own_account``: any logged-in account, acting only on its own data (password, notifications, scope switch).
- ``scope_checked(perm)``: a logged-in account with a role in use; the view reads only through ``visible_to``
  and answers 404 for objects outside the scope. ``perm`` (optional) must be carried by the role in use.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

ACCESS_ATTR = "yinfa_access"
PUBLIC = "public"
OWN_ACCOUNT = "own_account"
SCOPE_CHECKED = "scope_checked"
DECLARATIONS = {PUBLIC, OWN_ACCOUNT, SCOPE_CHECKED}


class NoScope(PermissionDenied):
    """The account holds no role in use, so it sees nothing."""


def _mark(view, kind, perms=()):
    setattr(view, ACCESS_ATTR, kind)
    view.yinfa_perms = tuple(perms)
    return view


def public(view):
    return _mark(view, PUBLIC)


def own_account(view):
    return _mark(view, OWN_ACCOUNT)


def scope_checked(*perms):
    """Decorator for function views; ``perms`` are all required of the role in use."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        return _mark(wrapper, SCOPE_CHECKED, perms)

    return decorator


def declaration_of(view_func):
    """The access declaration of a resolved view function (function view, class view or DRF view)."""
    declared = getattr(view_func, ACCESS_ATTR, None)
    if declared:
        return declared, getattr(view_func, "yinfa_perms", ())
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    if view_class is not None:
        declared = getattr(view_class, ACCESS_ATTR, None)
        if declared:
            return declared, tuple(getattr(view_class, "yinfa_perms", ()))
    return None, ()


def require(request, perm):
    """Raise PermissionDenied unless the role in use carries ``perm``."""
    if request.scope is None or not request.scope.has(perm):
        raise PermissionDenied
