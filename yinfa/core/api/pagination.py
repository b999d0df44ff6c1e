"""Keyset (cursor) pagination for the API: constant cost per page, stable under inserts."""

from rest_framework.pagination import CursorPagination


class TreeCursorPagination(CursorPagination):
    """Organisations in tree order (materialised path)."""

    ordering = ("path",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class UsernameCursorPagination(CursorPagination):
    ordering = ("username",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
