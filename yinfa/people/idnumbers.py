"""Resident ID numbers (GB 11643): normalise, validate, upgrade 15 → 18 digits, derive birth date and gender.

The check character and birth date are checked with ``stdnum.cn.ric``. Its ``validate`` also insists that
the area code is in today's GB/T 2260 list; retirees' numbers often carry historical codes, so the area
code is only required to be six digits here.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

# Full-width digits and letters typed by Chinese input methods.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")
_WHITESPACE = re.compile(r"[\s\u3000\-]+")
# Excel turns an ID typed as a number into a float that lost its last digits: 3.70123194501011E+17.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+]?\d+$")
_TRAILING_ZERO_FRACTION = re.compile(r"^(\d{15})\.0+$")
EARLIEST_BIRTH = datetime.date(1880, 1, 1)

MALE = "male"
FEMALE = "female"


class IdNumberError(ValueError):
    """Why an ID number was refused; ``code`` is stable, ``message`` is for people."""

    MESSAGES = {
        "empty": _("The ID number is empty."),
        "excel_number": _("The ID number was stored as a number and has lost its last digits; format the "
                          "column as text and type it again."),
        "length": _("An ID number has 18 characters (or 15 digits for an old one)."),
        "format": _("An ID number has only digits, except a final X."),
        "checksum": _("The check character (the last one) does not match: the number was mistyped."),
        "birth_date": _("The birth date in the ID number is not a real date."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(code)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    gender: str  # "male" or "female" (the values of people.models.Gender)

    @property
    def area_code(self):
        return self.number[:6]


def normalize(value) -> str:
    """Spaces and hyphens out, full-width characters to half-width, lower-case x to X. No validation."""
    if value is None:
        return ""
    if isinstance(value, float):
        # 15-digit numbers survive a float; 18-digit ones do not (caught by validate()).
        value = str(int(value)) if value.is_integer() and value < 1e15 else repr(value)
    text = _WHITESPACE.sub("", str(value).translate(_FULL_WIDTH))
    match = _TRAILING_ZERO_FRACTION.match(text)
    if match:
        text = match.group(1)
    return text.upper()


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return ric.calc_check_digit(first17 + "0")


def upgrade_15(number15: str) -> str:
    """An old 15-digit number as 18 characters: insert the century 19 and append the check character."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def _birth_date(number18: str) -> datetime.date:
    try:
        born = ric.get_birth_date(number18)
    except StdnumValidationError:
        raise IdNumberError("birth_date")
    if born < EARLIEST_BIRTH or born > datetime.date.today():
        raise IdNumberError("birth_date")
    return born


def validate(value) -> str:
    """The normalised 18-character number, or IdNumberError. 15-digit numbers are upgraded."""
    raw = "" if value is None else str(value).strip()
    if isinstance(value, float) and not (value.is_integer() and value < 1e15):
        raise IdNumberError("excel_number")
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        raise IdNumberError("excel_number")
    number = normalize(value)
    if not number:
        raise IdNumberError("empty")
    if len(number) == 15:
        if not number.isdigit():
            raise IdNumberError("format")
        _birth_date(upgrade_15(number))
        return upgrade_15(number)
    if len(number) != 18:
        raise IdNumberError("length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("format")
    if number[17] != check_character(number[:17]):
        raise IdNumberError("checksum")
    _birth_date(number)
    return number


def is_valid(value) -> bool:
    try:
        validate(value)
    except IdNumberError:
        return False
    return True


def gender_of(number18: str) -> str:
    """Odd sequence digit (the 17th character): male; even: female."""
    return MALE if int(number18[16]) % 2 else FEMALE


def parse(value) -> IdNumber:
    number = validate(value)
    return IdNumber(number=number, birth_date=_birth_date(number), gender=gender_of(number))


def index_form(value) -> str:
    """The form used for the blind index: normalised, and 15-digit numbers upgraded, so both forms match."""
    number = normalize(value)
    if len(number) == 15 and number.isdigit():
        return upgrade_15(number)
    return number


def make(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid number (for generators and tests). ``sequence`` is 0–999; odd means male."""
    if len(area_code) != 6 or not area_code.isdigit() or not 0 <= sequence <= 999:
        raise ValueError("area code must be 6 digits and sequence 0–999")
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
