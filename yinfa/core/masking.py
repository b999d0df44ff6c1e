"""Masked display of personal data in lists: 110***********123X, 138****5678."""


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    value = (value or "").strip()
    if len(value) <= 6:
        return value[:2] + "*" * max(0, len(value) - 2)
    return value[:6] + "*" * min(8, len(value) - 6)
