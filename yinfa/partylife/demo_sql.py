"""The demo's fast path for its large tables (attendance, meetings, dues payments): plain ``INSERT`` statements
run with ``executemany`` from tuples of values, without building a model instance per row.

``bulk_create`` spends most of its time preparing every value of every instance; for a county's ~90,000
attendance rows that alone took longer than the rest of the demo. Values here are Python dates, decimals,
strings, booleans and ids (foreign keys), which both SQLite (Django registers the adapters) and psycopg take as
they are; aware datetimes, times and UUIDs go through the backend's own adapters once per column.
"""

import uuid

from django.db import connection, models
from django.utils import timezone

BATCH = 5000


def _adapter(field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.TimeField):
        return connection.ops.adapt_timefield_value
    if isinstance(field, models.UUIDField):
        return lambda value: field.get_db_prep_value(value, connection)
    return None


def insert_rows(model, fields, rows):
    """Insert ``rows`` (tuples of values in the order of ``fields``, attribute names such as ``meeting_id``)
    into the table of ``model``. Returns the number of rows."""
    opts = model._meta
    concrete = {field.attname: field for field in opts.concrete_fields}
    columns = [concrete[name].column for name in fields]
    adapters = [(n, adapter) for n, name in enumerate(fields) if (adapter := _adapter(concrete[name]))]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    if adapters:
        cache = {}

        def adapt(row):
            row = list(row)
            for n, adapter in adapters:
                value = row[n]
                if value is not None:
                    key = (n, value)
                    if key not in cache:
                        cache[key] = adapter(value)
                    row[n] = cache[key]
            return row

        rows = [adapt(row) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])
    return len(rows)


def insert_objects(model, objects, now=None):
    """Insert unsaved instances of ``model`` (every concrete field but the primary key; ``auto_now`` and
    ``auto_now_add`` fields set to ``now``). No keys are returned: read them back by a unique field."""
    now = now or timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    names = [f.attname for f in fields]
    rows = [tuple(now if name in stamped else getattr(obj, name) for name in names) for obj in objects]
    return insert_rows(model, names, rows)


def stable_uuid(rng):
    """A version-4 UUID drawn from ``rng`` (so the demo is the same on every run)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)

