"""Model fields for personal data: an encrypted text field and its blind index.

The model keeps plaintext in memory; the database sees only ciphertext. Decryption is lazy
(on first attribute access) because the associated data needs the row's ``uid``.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from yinfa.core import crypto


class Ciphertext(str):
    """A value already encrypted by ``EncryptedTextField.pre_save``."""


class _Sealed:
    __slots__ = ("token",)

    def __init__(self, token):
        self.token = token


class _EncryptedDescriptor:
    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, _Sealed):
            value = crypto.decrypt(value.token, aad=self.field.aad_for(instance))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """SM4-GCM encrypted text, bound to (table, row uid, field). The model needs a ``uid`` field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _EncryptedDescriptor(self))

    def aad_for(self, instance):
        uid = getattr(instance, "uid", None)
        if uid is None:
            raise ImproperlyConfigured(f"{instance.__class__.__name__} needs a uid field for encryption")
        return crypto.associated_data(instance._meta.db_table, str(uid), self.column)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value in (None, ""):
            return Ciphertext("")
        return Ciphertext(crypto.encrypt(str(value), aad=self.aad_for(model_instance)))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return ""
        return _Sealed(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value in (None, ""):
            return ""
        if not isinstance(value, Ciphertext):
            raise TypeError("encrypted fields are written only through save() or bulk_create()")
        return str(value)

    def get_prep_value(self, value):
        return value


class BlindIndexField(models.CharField):
    """HMAC-SM3 of the normalised plaintext of another field, for exact lookups."""

    def __init__(self, *args, source=None, normalizer=None, **kwargs):
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("source", None)
        kwargs.pop("normalizer", None)
        return name, path, args, kwargs

    def index_for(self, plaintext):
        if plaintext in (None, ""):
            return ""
        normalized = self.normalizer(plaintext) if self.normalizer else str(plaintext)
        if not normalized:
            return ""
        return crypto.blind_index(f"{self.model._meta.db_table}.{self.source}", normalized)

    def pre_save(self, model_instance, add):
        value = self.index_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def lookup_index(model, field_name, plaintext):
    """The blind-index value to filter on for an exact lookup of ``plaintext``."""
    return model._meta.get_field(field_name).index_for(plaintext)
