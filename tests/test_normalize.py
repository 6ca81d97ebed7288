"""Input is normalised once (sanhui/normalize.py), before validation and before duplicate checks:
the rules themselves, every form of the portal applying them, and no second home for them.

Full-width forms are written with escapes where the difference would not show in an editor."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from organizations import validators
from organizations.filters import NormalizedFilterSet
from sanhui import normalize

ROOT = Path(__file__).resolve().parents[1]
APPS = ("sanhui", "organizations", "services", "outreach", "rollout")
SERVERS = ("sanhui.wsgi", "sanhui.asgi")


def wide(ascii_text: str) -> str:
    """The full-width form of ASCII text, as a Chinese input method types it (space: U+3000)."""
    return "".join("\u3000" if char == " " else chr(ord(char) + 0xFEE0) for char in ascii_text)


WIDE_PHONE = wide("138 1234 5678")
ARABIC_INDIC_PHONE = "".join(chr(0x0660 + int(digit)) for digit in "13812345678")  # ١٣٨١٢٣٤٥٦٧٨
DEVANAGARI_ID = "".join(chr(0x0966 + int(digit)) for digit in "11010519491231002") + "X"


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13812345678", "13812345678"),
        (WIDE_PHONE, "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        (wide("+86 138-1234-5678"), "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("(+86) 138.1234.5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("138\u20131234\u20145678", "13812345678"),  # en and em dashes
        (" 138 1234 5678\n", "13812345678"),
        ("", ""),
        (None, ""),
    ],
)
def test_phones_are_reduced_to_their_digits(typed, expected):
    assert normalize.phone(typed) == expected


def test_a_phone_in_another_scripts_digits_keeps_them_and_is_refused():
    assert normalize.phone(ARABIC_INDIC_PHONE) == ARABIC_INDIC_PHONE
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_mobile(normalize.phone(ARABIC_INDIC_PHONE))
    assert excinfo.value.code == "non_ascii_digits"
    assert "请使用数字0–9" in excinfo.value.messages[0]
    # Python's \d would have matched them; the validators' patterns do not.
    assert not validators.MOBILE_RE.fullmatch(ARABIC_INDIC_PHONE)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002x ", "11010519491231002X"),
        (wide("11010519491231002x"), "11010519491231002X"),
    ],
)
def test_id_numbers_lose_spaces_and_take_a_capital_x(typed, expected):
    assert normalize.id_number(typed) == expected
    validators.validate_resident_id(expected)


def test_an_id_number_with_devanagari_digits_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_resident_id(normalize.id_number(DEVANAGARI_ID))
    assert excinfo.value.code == "non_ascii_digits"


def test_credit_codes_lose_spaces_and_are_upper_case():
    assert normalize.credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert (
        normalize.credit_code("\uff19\uff11\uff13\uff15\uff10\uff11\uff10\uff10\uff4d000100Y43")
        == "91350100M000100Y43"
    )


def test_text_makes_full_width_letters_digits_and_spaces_ascii():
    assert normalize.text("\u3000\uff21\uff22\uff23\u3000\u3000\uff11\uff12\uff13 \t x\u200b ") == "ABC 123 x"
    assert normalize.text(None) == ""


def test_text_keeps_the_punctuation_and_signs_of_chinese_prose():
    prose = "讲座（第二期）：30℃，每组①②③……请勿迟到！"
    assert normalize.text(prose) == prose


def test_lines_keep_their_breaks():
    assert normalize.lines("\n第一行\u3000\u3000甲\r\n\r\n第三行 ｘ \n") == "第一行 甲\n\n第三行 x"


def test_compact_is_full_nfkc():
    assert normalize.compact("\uff12\uff10\uff12\uff14\uff0d\uff10\uff13\uff0d\uff10\uff11") == "2024-03-01"
    assert normalize.compact(" a\uff20example\uff0ecn ") == "a@example.cn"


# --------------------------------------------------------------------------- forms


class _Sample(normalize.NormalizedFormMixin, forms.Form):
    name = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    phone = normalize.PhoneField(max_length=20)
    id_number = normalize.IdNumberField(max_length=20, required=False)
    count = forms.IntegerField(required=False)
    day = forms.DateField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    tags = forms.MultipleChoiceField(choices=[("a", "a"), ("b", "b")], required=False)


def test_a_form_cleans_normalised_values_and_shows_them_back():
    data = QueryDict(mutable=True)
    data.update(
        {
            "name": " \uff37\uff41\uff4e\uff47\u3000小明 ",
            "notes": "第一行\u3000\u3000\r\n第二行",
            "phone": "+86 138-1234-5678",
            "id_number": "11010519491231002x",
            "count": "\uff11\uff12",
            "day": "\uff12\uff10\uff12\uff14-03-01",
            "password": "\uff21  b",
        }
    )
    data.setlist("tags", [" a ", "\uff42"])
    form = _Sample(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Wang 小明"
    assert form.cleaned_data["notes"] == "第一行\n第二行"
    assert form.cleaned_data["phone"] == "13812345678"
    assert form.cleaned_data["id_number"] == "11010519491231002X"
    assert form.cleaned_data["count"] == 12
    assert str(form.cleaned_data["day"]) == "2024-03-01"
    assert form.cleaned_data["tags"] == ["a", "b"]
    # A password reaches its field exactly as typed.
    assert form.cleaned_data["password"] == "\uff21  b"
    # The page shown again holds the normalised phone, not what was typed.
    assert 'value="13812345678"' in str(form["phone"])
    # The request's own data is not changed.
    assert data["phone"] == "+86 138-1234-5678"


def test_a_form_bound_to_a_plain_dict_is_normalised_too():
    form = _Sample({"name": "甲", "phone": WIDE_PHONE})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "13812345678"


def _portal_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield app
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            # Not the migrations, the commands, or the server entry points (which set Django up).
            if ".migrations" in info.name or ".management" in info.name or info.name in SERVERS:
                continue
            yield info.name


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _portal_classes(base) -> list[type]:
    for name in _portal_modules():
        importlib.import_module(name)
    return sorted(
        {cls for cls in _subclasses(base) if cls.__module__.split(".")[0] in APPS},
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def test_every_form_of_the_portal_normalises_its_input():
    found = _portal_classes(forms.BaseForm)
    assert {cls.__name__ for cls in found} >= {"PortalForm", "CheckinForm", "OrganizationForm"}
    forgetful = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in found
        if not issubclass(cls, normalize.NormalizedFormMixin)
    ]
    assert not forgetful, forgetful


def test_every_list_filter_of_the_portal_normalises_its_input():
    found = _portal_classes(django_filters.FilterSet)
    assert {cls.__name__ for cls in found} >= {"PersonFilter", "ActivityFilter", "LoginEventFilter"}
    forgetful = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in found if not issubclass(cls, NormalizedFilterSet)
    ]
    assert not forgetful, forgetful


def test_a_filter_sets_form_normalises():
    from organizations.accounts.filters import LoginEventFilter

    form = LoginEventFilter({"username": "\uff4a\uff49\uff41\uff4e\uff47\uff53\uff48\uff41\uff4e\u3000"}).form
    assert form.is_valid()
    assert form.cleaned_data["username"] == "jiangshan"


# --------------------------------------------------------------------------- one home


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_normalisation_has_one_home():
    """NFKC and the phone, ID and credit-code rules are applied only by sanhui/normalize.py; the
    validators define none of their own (organizations/accounts/passwords.py only reads
    character categories)."""
    offenders = []
    for path in _sources():
        relative = str(path.relative_to(ROOT))
        if relative == "sanhui/normalize.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "normalize"
                and isinstance(node.value, ast.Name)
                and node.value.id == "unicodedata"
            ):
                offenders.append(f"{relative}: unicodedata.normalize")
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("normalize_", "normalise_")):
                offenders.append(f"{relative}: defines {node.name}")
    assert not offenders, offenders


def test_validators_accept_ascii_digits_only():
    """No \\d in a pattern of the validators: it matches every script's digits."""
    source = (ROOT / "organizations" / "validators.py").read_text(encoding="utf-8")
    patterns = [
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") in {"compile", "match", "fullmatch", "search"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert patterns and not [pattern for pattern in patterns if "\\d" in pattern]


def test_an_organisations_numbers_are_not_prose():
    from organizations.forms import OrganizationForm

    fields = OrganizationForm.base_fields
    assert normalize.field_rule(fields["credit_code"]) is normalize.credit_code
    assert normalize.field_rule(fields["contact_phone"]) is normalize.compact
    assert normalize.field_rule(fields["code"]) is normalize.compact
    assert normalize.field_rule(fields["name"]) is normalize.text
    assert normalize.field_rule(fields["description"]) is normalize.lines


RULES = (normalize.text, normalize.lines, normalize.compact)
RULES += (normalize.phone, normalize.id_number, normalize.credit_code)


@pytest.mark.parametrize(
    "typed",
    ["A\u00b4", "\u00df\u00b4", "1\u3000\u0301", "\ufdfa", "\u2000x\u200b", "\uff11\u2212\uff12", "\u01c6"],
)
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_gives_the_same_value_again(rule, typed):
    """Forms normalise, and the actions they call normalise again: the second pass must agree."""
    once = rule(typed)
    assert rule(once) == once
