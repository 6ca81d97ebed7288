r"""Validators for personal and organisational identifiers.

- Mainland mobile numbers: 11 digits starting 13–19.
- Resident identity numbers (GB 11643-1999): 18 characters, a valid birth date and the
  ISO 7064 MOD 11-2 check character.
- Unified social credit codes (GB 32100-2015): 18 characters over a 31-symbol alphabet with a
  MOD 31 check character. A failed check is reported as a warning by callers, not a refusal,
  because older registrations in circulation sometimes carry typing errors that staff must
  still be able to record.

Values reach these validators normalised (``sanhui.normalize``: full-width digits are ASCII
by then). Only ASCII digits are accepted: Python's ``\d`` would also match the digits of other
scripts (Arabic-Indic ٣, Devanagari ३), which NFKC leaves as they are and no registry knows.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanhui import clock

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First two digits of a resident ID: the province-level division of first registration.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82", "83",
    }
)  # fmt: skip

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def _refuse_other_digits(value: str) -> None:
    if any(char.isdigit() and not char.isascii() for char in value or ""):
        raise ValidationError(
            _("号码中含有无法识别的数字字符，请使用数字0–9（全角、半角均可）重新输入。"),
            code="non_ascii_digits",
        )


def validate_mobile(value: str) -> None:
    _refuse_other_digits(value)
    if not MOBILE_RE.fullmatch(value or ""):
        raise ValidationError(
            _("请输入有效的11位中国大陆手机号码，例如 13812345678。"), code="invalid_mobile"
        )


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> None:
    """Validate a normalised (upper-case) 18-character resident identity number."""
    _refuse_other_digits(value)
    if not RESIDENT_ID_RE.fullmatch(value or ""):
        raise ValidationError(
            _("身份证号码应为18位：前17位为数字，最后一位为数字或X。"), code="invalid_id_format"
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码的地区码无效。"), code="invalid_id_region")
    birth = resident_id_birth_date(value)
    today = today or clock.today()
    if birth is None or birth > today or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="invalid_id_birth_date")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="invalid_id_check_digit")


def resident_id_gender(value: str) -> str:
    """The gender encoded in the 17th digit: odd male, even female."""
    return "male" if int(value[16]) % 2 else "female"


def validate_credit_code_format(value: str) -> None:
    """Refuse what cannot be a unified social credit code at all (length, alphabet)."""
    _refuse_other_digits(value)
    if not USCC_RE.fullmatch(value or ""):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。"),
            code="invalid_credit_code",
        )


def credit_code_check_char(first17: str) -> str:
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_checksum_ok(value: str) -> bool:
    return bool(USCC_RE.fullmatch(value or "")) and credit_code_check_char(value[:17]) == value[17]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_resident_id(value: str) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


# How each kind of personal number is shown to a viewer who may not see it in full.
MASKS = {"phone": mask_phone, "id_number": mask_resident_id}
