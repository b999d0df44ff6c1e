"""Re-encrypt every encrypted field under the current key: ``manage.py rotate_field_keys [--batch 2000]``.

Key rotation: put the new key first in YINFA_FIELD_KEYS and keep the old one after it
(``new:<hex>,old:<hex>``), restart, run this command, then remove the old key. Every model with an
EncryptedTextField is covered (accounts' mobile and second-factor secret, people's ID number, phones and
address, contacts' phones, and whatever is added later). Rows are read in primary-key order in batches, each
batch locked and rewritten in its own transaction (one parameterised UPDATE per changed row, sent together);
values already under the current key are only checked (they must decrypt), so an interrupted run is simply
started again. Blind indexes use their own key and do not change; neither do the rows' ``updated_at`` or
``version``.
"""

import time
import uuid

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from yinfa.core import audit, crypto
from yinfa.core.fields import Ciphertext, EncryptedTextField
from yinfa.core.models import AuditAction

RAW_PREFIX = "rotate_raw_"


def encrypted_models():
    """[(model, [EncryptedTextField…])] for every installed model holding encrypted fields."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _aad(model, field, row_uid):
    return crypto.associated_data(model._meta.db_table, str(uuid.UUID(str(row_uid))), field.column)


def rotate_batch(model, fields, *, after, batch):
    """Re-encrypt one batch of rows with primary key above ``after``. Returns (last pk or None, rows read,
    values re-encrypted)."""
    current = crypto.keyring().current_id
    raw = {f"{RAW_PREFIX}{field.attname}": Cast(field.attname, output_field=TextField()) for field in fields}
    with transaction.atomic():
        # The raw ciphertexts (a Cast skips the field's lazy decryption); rows locked until the batch is written.
        rows = list(model._base_manager.select_for_update().filter(pk__gt=after).order_by("pk")
                    .annotate(**raw).values_list("pk", "uid", *raw)[:batch])
        if not rows:
            return None, 0, 0
        changed_rows = []
        changed_values = 0
        for pk, row_uid, *tokens in rows:
            new_tokens = []
            changed = False
            for field, token in zip(fields, tokens, strict=True):
                if token:
                    aad = _aad(model, field, row_uid)
                    # Decrypted even when already under the current key: a key id reused for other key
                    # material, or a damaged value, must stop the run rather than pass as rotated.
                    plaintext = crypto.decrypt(token, aad=aad)
                    if crypto.key_id_of(token) != current:
                        token = crypto.encrypt(plaintext, aad=aad)
                        changed = True
                        changed_values += 1
                new_tokens.append(token or "")
            if changed:
                changed_rows.append((*new_tokens, pk))
        if changed_rows:
            write_tokens(model, fields, changed_rows)
    return rows[-1][0], len(rows), changed_values


def write_tokens(model, fields, rows):
    """Store new ciphertexts: ``rows`` are (token per field…, pk). One parameterised UPDATE run for every row
    (psycopg pipelines it): QuerySet.bulk_update builds a CASE over the whole batch per column, which costs about
    a millisecond per row here (a million people would take over half an hour)."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE {quote(model._meta.pk.column)} = %s"
    values = [tuple(field.get_db_prep_value(Ciphertext(token), connection) for field, token in
                    zip(fields, row[:-1], strict=True)) + (row[-1],) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def rotate_model(model, fields, *, batch, progress=None):
    """Re-encrypt all rows of ``model``; returns (rows read, values re-encrypted)."""
    after, read, changed = 0, 0, 0
    total = model._base_manager.count()
    while True:
        last, rows, values = rotate_batch(model, fields, after=after, batch=batch)
        if last is None:
            return read, changed
        after, read, changed = last, read + rows, changed + values
        if progress:
            progress(model, read, total, changed)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the current key (the first of YINFA_FIELD_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="rows per transaction (default: %(default)s)")

    def handle(self, *args, batch, **options):
        if batch < 1:
            raise CommandError("--batch must be positive.")
        try:
            current = crypto.keyring().current_id
        except ImproperlyConfigured as exc:  # a malformed key list stops here, before any row is read
            raise CommandError(f"YINFA_FIELD_KEYS: {exc}") from exc
        self.stdout.write(f"Re-encrypting under key {current!r}; keys that still decrypt: "
                          f"{', '.join(crypto.keyring().keys)}.")
        started = time.monotonic()
        last = {"printed": 0.0}

        def progress(model, read, total, changed):
            now = time.monotonic()
            if read < total and now - last["printed"] < 2:
                return
            last["printed"] = now
            self.stdout.write(f"  {model._meta.label:<24} {read:>11,} / {total:,} rows  "
                              f"{changed:,} values re-encrypted")
            self.stdout.flush()

        summary = {}
        for model, fields in encrypted_models():
            try:
                read, changed = rotate_model(model, fields, batch=batch, progress=progress)
            except crypto.DecryptionError as exc:
                raise CommandError(
                    f"{model._meta.label}: a value cannot be decrypted ({exc}). Is the key it was written with "
                    f"still listed in YINFA_FIELD_KEYS, with the same key material under its id (a key id must "
                    f"never be reused for a new key)? Rows done so far keep their new encryption; run again "
                    f"after fixing the keys.") from exc
            summary[model._meta.label] = {"rows": read, "values_reencrypted": changed,
                                          "fields": [f.attname for f in fields]}
            self.stdout.write(f"  {model._meta.label:<24} done: {read:,} rows, {changed:,} values re-encrypted")
        audit.record(AuditAction.SYSTEM, actor=None, object_type="field_keys", object_repr="field keys rotated",
                     scope_path="", detail={"event": "field keys rotated", "key": current, "models": summary})
        self.stdout.write(self.style.SUCCESS(
            f"All encrypted values are under key {current!r} ({time.monotonic() - started:.1f} s). The older keys "
            f"can now be removed from YINFA_FIELD_KEYS."))
