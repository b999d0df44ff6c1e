"""Bulk inserts through PostgreSQL's COPY, for the 100,000-row imports.

Django's ``bulk_create`` on PostgreSQL sends every column as an array (``UNNEST``) that psycopg escapes value
by value in Python; for a roster that is most of the import's time. COPY streams the rows in psycopg's C
code instead. Each value is still prepared by the model field itself (``pre_save``: encryption bound to the
row's uid, blind indexes, auto_now times), primary keys are taken from the table's sequence first, so the
objects come back with their ids exactly as ``bulk_create`` would return them.
Other databases (SQLite) use ``bulk_create``.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from yinfa.core.fields import BlindIndexField, EncryptedTextField


def copy_supported():
    return connection.vendor == "postgresql"


def _extractor(field, now):
    """A function obj -> the value COPY writes for ``field``."""
    attname = field.attname
    if isinstance(field, BlindIndexField):
        # An index the caller already computed from the same value with the same function (the importer
        # looks people up by it) is kept; otherwise it is computed as save() would.
        return lambda obj: getattr(obj, attname) or field.pre_save(obj, True)
    if isinstance(field, EncryptedTextField):
        return lambda obj: str(field.pre_save(obj, True))
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        def stamp(obj):
            setattr(obj, attname, now)
            return now
        return stamp
    if isinstance(field, models.JSONField):
        return lambda obj: json.dumps(getattr(obj, attname), cls=field.encoder or DjangoJSONEncoder,
                                      ensure_ascii=False)
    return lambda obj: getattr(obj, attname)


def _reserve_ids(model, count):
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, column, count])
        return [row[0] for row in cursor.fetchall()]


def copy_create(model, objs):
    """Insert ``objs`` (unsaved instances of ``model``) with COPY; sets their primary keys."""
    objs = list(objs)
    if not objs:
        return objs
    now = timezone.now()
    for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = list(model._meta.concrete_fields)
    extract = [_extractor(field, now) for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in extract])
    return objs


def reserve_ids(model, count):
    """``count`` new primary keys from the table's sequence."""
    return _reserve_ids(model, count) if count else []


def copy_tuples(model, field_names, rows):
    """COPY plain rows (tuples in the order of ``field_names``, values as the database takes them)."""
    if not rows:
        return
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in field_names)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
