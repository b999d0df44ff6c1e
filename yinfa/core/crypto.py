"""Field encryption with SM4-GCM and keyed blind indexes with HMAC-SM3 (国密).

Ciphertext layout (base64 text in the database):
    b"Y1" | len(key_id) (1 byte) | key_id | nonce (12 bytes) | ciphertext | tag (16 bytes)
The associated data binds a value to its table, row and field, so a ciphertext copied into
another row or column fails to decrypt.
"""

import base64
import hmac as std_hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"Y1"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The ciphertext is damaged, was moved to another row or field, or its key is unknown."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict

    @classmethod
    def parse(cls, spec: str) -> "Keyring":
        keys = {}
        current = None
        for item in spec.split(","):
            item = item.strip()
            if not item:
                continue
            key_id, sep, hex_key = item.partition(":")
            if not sep or not key_id or len(key_id) > 32:
                raise ImproperlyConfigured("YINFA_FIELD_KEYS must look like 'keyid:32hexdigits,...'")
            try:
                key = bytes.fromhex(hex_key)
            except ValueError as exc:
                raise ImproperlyConfigured(f"field key {key_id!r} is not hexadecimal") from exc
            if len(key) != 16:
                raise ImproperlyConfigured(f"field key {key_id!r} must be 16 bytes (SM4)")
            keys[key_id] = key
            current = current or key_id
        if not keys:
            raise ImproperlyConfigured("YINFA_FIELD_KEYS names no key")
        return cls(current_id=current, keys=keys)


@lru_cache(maxsize=4)
def _keyring(spec: str) -> Keyring:
    return Keyring.parse(spec)


def keyring() -> Keyring:
    return _keyring(settings.YINFA_FIELD_KEYS)


def associated_data(table: str, row: str, field: str) -> bytes:
    return f"{table}\x1f{row}\x1f{field}".encode()


@lru_cache(maxsize=16)
def _sm4(key: bytes):
    return algorithms.SM4(key)


def encrypt(plaintext: str, *, aad: bytes, key_id: str | None = None) -> str:
    ring = keyring()
    key_id = key_id or ring.current_id
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(_sm4(ring.keys[key_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    kid = key_id.encode()
    blob = MAGIC + bytes([len(kid)]) + kid + nonce + body + encryptor.tag
    return base64.b64encode(blob).decode("ascii")


def key_id_of(token: str) -> str:
    blob = base64.b64decode(token)
    return blob[3 : 3 + blob[2]].decode()


def decrypt(token: str, *, aad: bytes) -> str:
    try:
        blob = base64.b64decode(token, validate=True)
    except (ValueError, TypeError) as exc:
        raise DecryptionError("not a ciphertext") from exc
    if blob[:2] != MAGIC or len(blob) < 3:
        raise DecryptionError("not a ciphertext")
    kid_len = blob[2]
    kid = blob[3 : 3 + kid_len].decode()
    rest = blob[3 + kid_len :]
    if len(rest) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, body, tag = rest[:NONCE_BYTES], rest[NONCE_BYTES:-TAG_BYTES], rest[-TAG_BYTES:]
    key = keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"unknown key id {kid!r}")
    decryptor = Cipher(_sm4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("authentication failed") from exc


@lru_cache(maxsize=4)
def _index_key(spec: str) -> bytes:
    try:
        key = bytes.fromhex(spec)
    except ValueError as exc:
        raise ImproperlyConfigured("YINFA_BLIND_INDEX_KEY must be hexadecimal") from exc
    if len(key) < 16:
        raise ImproperlyConfigured("YINFA_BLIND_INDEX_KEY must be at least 16 bytes")
    return key


def blind_index(purpose: str, normalized_value: str) -> str:
    """HMAC-SM3 of a normalised value; the purpose separates the indexes of different fields."""
    mac = crypto_hmac.HMAC(_index_key(settings.YINFA_BLIND_INDEX_KEY), hashes.SM3())
    mac.update(purpose.encode() + b"\x1f" + normalized_value.encode("utf-8"))
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
