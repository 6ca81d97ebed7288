import datetime

import pytest
from django.core.exceptions import ValidationError

from organizations import validators as v
from sanhui import normalize

# A real-format ID: region 330212, born 1980-01-01, serial 123; check char computed by hand:
# weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 33021219800101123 → sum 169 → 169 % 11 = 4,
# and position 4 of "10X98765432" is "8".
GOOD_ID = "330212198001011238"


def test_it_computes_the_gb11643_check_char():
    assert v.resident_id_check_char("33021219800101123") == "8"
    # The ISO 7064 example in GB 11643: 11010519491231002X.
    assert v.resident_id_check_char("11010519491231002") == "X"


def test_it_accepts_a_valid_id():
    v.validate_resident_id(GOOD_ID)
    v.validate_resident_id("11010519491231002X")


def test_it_upper_cases_a_trailing_lowercase_x():
    value = normalize.id_number(" 11010519491231002x ")
    assert value == "11010519491231002X"
    v.validate_resident_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("330212198001011234", "invalid_id_check_digit"),  # wrong check digit
        ("330212198002301230", "invalid_id_birth_date"),  # 30 February
        ("330212198013011234", "invalid_id_birth_date"),  # month 13
        ("330212209901011234", "invalid_id_birth_date"),  # born in the future
        ("330212180001011234", "invalid_id_birth_date"),  # before 1900
        ("990212198001011234", "invalid_id_region"),  # no such province
        ("33021219800101123", "invalid_id_format"),  # 17 characters
        ("33021219800101123Y", "invalid_id_format"),
        ("11010519491231002x", "invalid_id_format"),  # not normalised
    ],
)
def test_it_refuses_invalid_ids(value, code):
    with pytest.raises(ValidationError) as excinfo:
        v.validate_resident_id(value, today=datetime.date(2026, 11, 29))
    assert excinfo.value.code == code


def test_it_reads_birth_date_and_gender():
    assert v.resident_id_birth_date(GOOD_ID) == datetime.date(1980, 1, 1)
    assert v.resident_id_gender(GOOD_ID) == "male"  # 17th digit 3 is odd
    assert v.resident_id_gender("11010519491231002X") == "female"  # 2 is even


@pytest.mark.parametrize("value", ["13812345678", "19912345678", "16612345678"])
def test_it_accepts_mainland_mobiles(value):
    v.validate_mobile(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "0574-8888888", ""])
def test_it_refuses_other_numbers(value):
    with pytest.raises(ValidationError, match="手机号码"):
        v.validate_mobile(value)


def test_it_normalises_typed_mobiles():
    assert normalize.phone("+86 138-1234-5678") == "13812345678"
    assert normalize.phone("0086 13812345678") == "13812345678"


def test_it_checks_the_gb32100_credit_code():
    code17 = "91330212MA2H00000"
    good = code17 + v.credit_code_check_char(code17)
    assert v.credit_code_checksum_ok(good)
    wrong = code17 + ("0" if good[-1] != "0" else "1")
    assert not v.credit_code_checksum_ok(wrong)
    v.validate_credit_code_format(wrong)  # a wrong check char is only a warning


def test_it_knows_the_standard_example_credit_code():
    # 91350100M000100Y43 is the example used in GB 32100 commentary and registries.
    assert v.credit_code_check_char("91350100M000100Y4") == "3"


def test_it_refuses_credit_codes_with_forbidden_letters():
    with pytest.raises(ValidationError):
        v.validate_credit_code_format("9133021IMA2H00000X")


def test_it_masks_personal_data():
    assert v.mask_phone("13812345678") == "138****5678"
    assert v.mask_resident_id("33021219800101123X") == "330212********123X"
    assert v.mask_phone("") == ""
