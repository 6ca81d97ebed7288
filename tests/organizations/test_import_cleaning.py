"""The cells of an imported spreadsheet: headers matched as people write them, and each cell
read as real Chinese rosters hold it (full-width digits, phones with +86, a lower-case x,
Excel serials, 2022年3月5日…), through the rules the portal's forms use."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from organizations.imports import cleaning as c
from organizations.models import Person

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# 11010519491231002X is GB 11643's own example (born 1949-12-31, 17th digit 2: female);
# 330212198001011238 is born 1980-01-01, 17th digit 3: male (check char worked out in
# tests/organizations/test_validators.py).
FEMALE_ID = "11010519491231002X"
MALE_ID = "330212198001011238"


def refusal(parse, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(value, **kwargs)
    return " ".join(caught.value.messages)


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("手机 号码*", "手机号码"),
        ("身份证号码（必填）", "身份证号码"),
        ("身份证号码(必填)", "身份证号码"),
        ("＊姓名：", "姓名"),
        ("*姓名*", "姓名"),
        ("备注（选填）", "备注"),
        ("性别:", "性别"),
        ("\u3000姓\u00a0名\n", "姓名"),
        ("ＥＭＡＩＬ", "email"),
        ("E-mail", "e-mail"),
        (None, ""),
        (2022.0, "2022"),
    ],
)
def test_header_key_ignores_spacing_width_case_and_decorations(written, key):
    assert c.header_key(written) == key


NAME = c.Column("name", "姓名", synonyms=("名字", "人员姓名"), required=True)
PHONE = c.Column("phone", "手机号码", synonyms=("手机", "联系电话"), required=True, parse=c.phone)
ID = c.Column("id_number", "身份证号码", synonyms=("身份证", "公民身份号码"), parse=c.id_number)
GENDER = c.Column("gender", "性别", parse=c.gender)
COLUMNS = [NAME, PHONE, ID, GENDER]


def test_headers_match_in_any_order_by_label_or_synonym():
    match = c.match_headers(["联系电话", "序号", "名字 *", None, "公民身份号码（必填）"], COLUMNS)
    assert match.index_by_key == {"phone": 0, "name": 2, "id_number": 4}
    assert match.unknown == ["序号"]
    assert match.missing == []
    assert match.duplicated == []


def test_missing_required_columns_and_duplicates_are_reported():
    match = c.match_headers(["姓名", "名字", "性别", "人员姓名", ""], COLUMNS)
    assert match.index_by_key == {"name": 0, "gender": 2}
    assert match.duplicated == ["名字", "人员姓名"]
    assert match.missing == [PHONE]
    assert match.unknown == []


def test_a_column_parses_text_by_default():
    assert NAME.parse("  张　三 ") == "张 三"
    assert c.Column("note", "备注").parse(12.0) == "12"


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("  张三  ", "张三"),
        ("Ｚｈａｎｇ　３", "Zhang 3"),  # full-width letters, digits and the ideographic space
        ("浙江（宁波）", "浙江（宁波）"),  # full-width punctuation of prose is kept
        (13812345678.0, "13812345678"),
        (12.0, "12"),
        (12, "12"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),  # Excel shows 15 significant digits
        (datetime.datetime(2022, 3, 5), "2022-03-05"),
        (datetime.datetime(2022, 3, 5, 14, 30), "2022-03-05 14:30"),
        (datetime.date(2022, 3, 5), "2022-03-05"),
        (None, ""),
    ],
)
def test_text_is_normalised_and_numbers_read_as_excel_shows_them(cell, expected):
    assert c.text(cell) == expected


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "cell",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "0086 13812345678",
        "８６１３８１２３４５６７８",
        "１３８　１２３４　５６７８",
        13812345678,
        13812345678.0,
    ],
)
def test_phones_are_normalised(cell):
    assert c.phone(cell) == "13812345678"


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000"])
def test_an_empty_phone_is_empty(cell):
    assert c.phone(cell) == ""


def test_a_phone_in_scientific_notation_is_refused_asking_for_a_text_column():
    message = refusal(c.phone, "1.38123E+10")
    assert "科学计数法" in message and "文本" in message


@pytest.mark.parametrize("cell", ["1381234567", "23812345678", "电话", 1381234567.5])
def test_a_bad_phone_is_refused(cell):
    assert refusal(c.phone, cell)


# --------------------------------------------------------------------------- ID numbers


@pytest.mark.parametrize(
    "cell", ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２ｘ"]
)
def test_id_numbers_are_upper_cased_and_spaces_removed(cell):
    assert c.id_number(cell) == FEMALE_ID


def test_an_empty_id_number_is_empty():
    assert c.id_number(None) == ""
    assert c.id_number(" ") == ""


@pytest.mark.parametrize("cell", [330212198001011238, 3.30212198001011e17, "3.30212E+17"])
def test_an_id_number_stored_as_a_number_is_refused_asking_for_a_text_column(cell):
    message = refusal(c.id_number, cell)
    assert "数字" in message and "文本" in message


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    assert "校验位" in refusal(c.id_number, "330212198001011234")


def test_id_facts_read_gender_and_birth_date():
    assert c.id_facts(FEMALE_ID) == ("female", datetime.date(1949, 12, 31))
    assert c.id_facts(MALE_ID) == ("male", datetime.date(1980, 1, 1))
    assert c.id_facts("") == ("", None)
    assert c.id_facts("330212198001011234") == ("", None)


def test_id_facts_use_the_validators_rules(monkeypatch):
    # One home per rule: how an ID number encodes gender and birth date is validators.py's.
    from organizations import validators

    monkeypatch.setattr(validators, "resident_id_gender", lambda value: "from-validators")
    monkeypatch.setattr(validators, "resident_id_birth_date", lambda value: datetime.date(2000, 1, 2))
    assert c.id_facts(MALE_ID) == ("from-validators", datetime.date(2000, 1, 2))


# --------------------------------------------------------------------------- dates

MARCH_5 = datetime.date(2022, 3, 5)


@pytest.mark.parametrize(
    "cell",
    [
        "2022-03-05",
        "2022-3-5",
        "2022/3/5",
        "2022/03/05",
        "2022.3.5",
        "2022年3月5日",
        "2022年3月5号",
        "2022 年 3 月 5 日",
        "20220305",
        "２０２２．３．５",
        "２０２２年３月５日",
        "2022-03-05 00:00:00",  # a date cell saved to CSV
        44625,  # Excel serial of 2022-03-05
        44625.0,
        44625.75,  # a moment that day
        20220305,  # typed without separators into a number cell
        datetime.datetime(2022, 3, 5),
        datetime.date(2022, 3, 5),
    ],
)
def test_dates_in_every_written_form(cell):
    assert c.date(cell) == MARCH_5


@pytest.mark.parametrize("cell", ["2022-3", "2022.3", "2022/03", "2022年3月", "２０２２年３月"])
def test_a_month_alone_is_its_first_day(cell):
    assert c.date(cell) == datetime.date(2022, 3, 1)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),  # Excel counts a 29 February 1900 that never was
        (29221, datetime.date(1980, 1, 1)),
        (73415, datetime.date(2100, 12, 31)),
    ],
)
def test_excel_serials_follow_the_1900_date_system(serial, expected):
    assert c.date(serial) == expected


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("2022-02-30", "不存在"),
        ("2022年13月1日", "不存在"),
        ("2023-02-29", "不存在"),
        (60, "不存在"),  # Excel's 1900-02-29
        ("1899-12-31", "1900"),
        ("2101-01-01", "2100"),
        (2022, "年份"),  # a year typed into a number cell
        ("明天", "无法识别"),
        ("22.3.5", "无法识别"),
        (0, "无法识别"),
        (-3, "无法识别"),
        (99999, "无法识别"),
        ("2022-03-05 25:00", "不存在"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused_with_a_clear_message(cell, words):
    assert words in refusal(c.date, cell)


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_an_empty_date_is_none(cell):
    assert c.date(cell) is None


# --------------------------------------------------------------------------- moments


def at(hour, minute=0):
    return datetime.datetime(2022, 3, 5, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "cell",
    [
        "2022-03-05 14:30",
        "2022-03-05T14:30",
        "2022-03-05 14:30:00",
        "2022/3/5 14:30",
        "2022年3月5日 14:30",
        "2022年3月5日14时30分",
        "2022年3月5日14点30分",
        "2022.3.5 下午2:30",
        "2022.3.5 2:30 PM",
        "２０２２－０３－０５　１４：３０",
        44625.604166666664,  # Excel serial with a fraction of a day
        datetime.datetime(2022, 3, 5, 14, 30),  # naive cells are Shanghai time
        datetime.datetime(2022, 3, 5, 6, 30, tzinfo=datetime.UTC),
    ],
)
def test_moments_are_aware_and_in_shanghai(cell):
    moment = c.datetime_(cell)
    assert moment == at(14, 30)
    assert moment.utcoffset() == datetime.timedelta(hours=8)


@pytest.mark.parametrize(
    "cell",
    [
        "2022-03-05",
        "2022年3月5日",
        "2022.3.5",
        44625,
        datetime.date(2022, 3, 5),
        datetime.datetime(2022, 3, 5),
    ],
)
def test_a_date_alone_gets_the_default_time(cell):
    assert c.datetime_(cell) == at(9)
    assert c.datetime_(cell, default_time=datetime.time(18, 0)) == at(18)


def test_morning_and_noon_words():
    assert c.datetime_("2022.3.5 上午9:15") == at(9, 15)
    assert c.datetime_("2022.3.5 上午12:10") == at(0, 10)
    assert c.datetime_("2022.3.5 中午12:30") == at(12, 30)
    assert c.datetime_("2022.3.5 晚上8点") == at(20)


@pytest.mark.parametrize(
    ("cell", "words"),
    [("2022-03-05 24:10", "不存在"), ("2022-03-05 午后", "无法识别"), ("2022-02-30 10:00", "不存在")],
)
def test_bad_moments_are_refused(cell, words):
    assert words in refusal(c.datetime_, cell)


def test_an_empty_moment_is_none():
    assert c.datetime_(None) is None
    assert c.datetime_(" ") is None


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("cell", ["12", 12, 12.0, "１２", "12人", "12 人次", " 12 ", "12.0"])
def test_integers(cell):
    assert c.integer(cell) == 12


def test_integers_with_thousands_separators_and_the_largest_one():
    assert c.integer("1,200") == 1200
    assert c.integer("１，２００") == 1200
    assert c.integer(2_147_483_647) == 2_147_483_647
    assert c.integer(0) == 0
    assert c.integer(None) is None


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("-1", "负数"),
        (-3, "负数"),
        (12.5, "小数"),
        ("12.5", "小数"),
        (2_147_483_648, "2,147,483,647"),
        ("十二", "整数"),
        ("12kg", "整数"),
        (True, "整数"),
    ],
)
def test_bad_integers_are_refused(cell, words):
    assert words in refusal(c.integer, cell)


@pytest.mark.parametrize(
    "cell",
    [
        "1.5",
        1.5,
        "1.5小时",
        "1.5 小时",
        "1.5h",
        "1.5H",
        "１．５",
        "90分钟",
        datetime.time(1, 30),
        datetime.timedelta(minutes=90),
    ],
)
def test_hours(cell):
    assert c.decimal_hours(cell) == Decimal("1.50")


def test_hours_are_rounded_to_the_hundredth_half_up():
    assert c.decimal_hours("1.005") == Decimal("1.01")
    assert c.decimal_hours(4 / 3) == Decimal("1.33")
    assert c.decimal_hours(24) == Decimal("24.00")
    assert c.decimal_hours("") is None


@pytest.mark.parametrize(
    ("cell", "words"),
    [("0", "大于0"), (0.001, "大于0"), ("24.5", "24"), ("-1", "大于0"), ("一个半小时", "小时数")],
)
def test_bad_hours_are_refused(cell, words):
    assert words in refusal(c.decimal_hours, cell)


# --------------------------------------------------------------------------- choices


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("男", "male"), ("男性", "male"), ("M", "male"), ("male", "male"), ("Ｍ", "male"), (" 男 ", "male"),
     ("女", "female"), ("女性", "female"), ("f", "female"), ("Female", "female"), ("", ""), (None, "")],
)  # fmt: skip
def test_gender(cell, expected):
    assert c.gender(cell) == expected
    assert expected in {"", Person.Gender.MALE, Person.Gender.FEMALE}


def test_an_unknown_gender_is_refused():
    assert "男" in refusal(c.gender, "未知")


def test_choice_matches_labels_and_values():
    parse = c.choice(Person.Profession)
    label = Person.Profession.choices[0][1]
    value = Person.Profession.choices[0][0]
    assert parse(str(label)) == value
    assert parse(f" {label}* ") == value
    assert parse(value.upper()) == value
    assert parse("") == ""


def test_choice_refuses_anything_else_listing_the_labels():
    message = refusal(c.choice(Person.Gender), "其他")
    assert message.startswith("应为以下之一：")
    assert "男、女、未填写" in message
