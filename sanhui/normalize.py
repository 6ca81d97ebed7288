"""Input normalisation: how typed text becomes the value the portal validates, compares and stores.

One home for every rule, used before validation and before duplicate checks by every portal form
(``NormalizedFormMixin``, the first base of each), by the actions that imports, commands and the
admin call, and by the public QR check-in, so that ``１３８ １２３４ ５６７８``,
``+86 138-1234-5678`` and ``13812345678`` are one phone and ``11010519491231002x`` is one ID.

- ``text``: one line of prose. Full-width letters and digits become ASCII (their NFKC form),
  every run of whitespace (the ideographic space U+3000 included) one space, zero-width
  characters go, the ends are stripped. The other NFKC mappings are left out on purpose: they
  would turn the full-width punctuation of Chinese prose (，（）：；！？), the ellipsis (……),
  circled numbers (①) and unit signs (℃, ㎡) into ASCII look-alikes, and GB/T 15834 prose (the
  findings of an inspection, a 督查通报) must keep them.
- ``lines``: several lines of prose (a text area): ``text`` on each line, line breaks kept.
- ``compact``: a value that is not prose (a number, a date, an e-mail address, a code, a
  choice): full NFKC, whitespace collapsed, ends stripped.
- ``phone``: ``compact``, then spaces, dashes, dots and brackets removed and a +86, 0086 or 86
  country prefix dropped.
- ``id_number`` (resident ID, GB 11643) and ``credit_code`` (GB 32100): ``compact``, spaces
  removed, upper case (a lower-case check character x becomes X).

NFKC turns full-width digits into ASCII but leaves other scripts' digits (Arabic-Indic ٣,
Devanagari ३) as they are; the validators accept ASCII digits only, so those are refused with
a message rather than stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django import forms

Normalizer = Callable[[str], str]

# Full-width digits and letters (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A) to their NFKC (ASCII)
# form; zero-width characters pasted from chat apps and word processors removed.
_WIDE_ALPHANUMERICS = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
}
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_TEXT_TABLE = {**_WIDE_ALPHANUMERICS, **_ZERO_WIDTH}
# Python's \s on str matches every Unicode space: U+3000, no-break spaces, line breaks.
_WHITESPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What people type between the digits of a phone number, after NFKC: spaces, hyphen-minus and
# the Unicode dashes NFKC keeps (‐ ‒ – — ― −), dots, middle dots, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.·()\[\]]")
_COUNTRY_PREFIXES = ("+86", "0086")


def _as_str(value) -> str:
    return "" if value is None else str(value)


def text(value) -> str:
    """One line of prose, normalised (see the module's docstring)."""
    return _WHITESPACE.sub(" ", _as_str(value).translate(_TEXT_TABLE)).strip()


def lines(value) -> str:
    """Several lines of prose: ``text`` on each, line breaks (as ``\\n``) kept, blank lines at
    either end dropped."""
    return "\n".join(text(line) for line in _LINE_BREAK.split(_as_str(value))).strip("\n")


def folded(value) -> str:
    """The NFKC form, nothing else (full-width letters and digits as ASCII): for comparing and
    sorting (``sanhui.collation``), never for what is stored."""
    return unicodedata.normalize("NFKC", _as_str(value))


def compact(value) -> str:
    """A value that is not prose: NFKC, whitespace collapsed, ends stripped."""
    value = unicodedata.normalize("NFKC", _as_str(value)).translate(_ZERO_WIDTH)
    return _WHITESPACE.sub(" ", value).strip()


def phone(value) -> str:
    """A mainland mobile number as typed, reduced to its digits (validated elsewhere)."""
    # NFKC once more: removing a separator may leave characters that compose.
    value = unicodedata.normalize("NFKC", _PHONE_SEPARATORS.sub("", compact(value)))
    for prefix in _COUNTRY_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    if len(value) == 13 and value.startswith("861"):
        # +86 typed without the plus: 13 digits can only be the country code and a mobile.
        return value[2:]
    return value


def id_number(value) -> str:
    """A resident identity number: no spaces, upper case (validated elsewhere)."""
    return _upper_without_spaces(value)


def credit_code(value) -> str:
    """A unified social credit code: no spaces, upper case (validated elsewhere)."""
    return _upper_without_spaces(value)


def _upper_without_spaces(value) -> str:
    # NFKC once more: removing spaces or changing case may leave characters that compose.
    return unicodedata.normalize("NFKC", _WHITESPACE.sub("", compact(value)).upper())


# --------------------------------------------------------------------------- forms


class NormalizedCharField(forms.CharField):
    """A text field with a rule of its own (``normalize``) instead of ``text``."""

    normalize: Normalizer = staticmethod(text)


class CodeField(NormalizedCharField):
    """A short text that is not prose (a code, a landline number): full NFKC."""

    normalize = staticmethod(compact)


class PhoneField(NormalizedCharField):
    normalize = staticmethod(phone)


class IdNumberField(NormalizedCharField):
    normalize = staticmethod(id_number)


class CreditCodeField(NormalizedCharField):
    normalize = staticmethod(credit_code)


def field_rule(field: forms.Field) -> Normalizer | None:
    """The rule that applies to what is typed into ``field``; None for values that must reach
    the field exactly as sent (passwords, files)."""
    if isinstance(field, NormalizedCharField):
        return field.normalize
    if isinstance(field, forms.FileField) or isinstance(field.widget, forms.PasswordInput):
        return None
    if isinstance(field.widget, forms.Textarea):
        return lines
    if type(field) is forms.CharField:
        return text
    return compact


def normalized_data(data, rules: dict[str, Normalizer]):
    """A copy of submitted form data (a QueryDict, a MultiValueDict or a dict) with each value
    of a known field put through its rule. A multi-part widget's keys (``when_0``, ``when_1``)
    follow the rule of their field."""
    multi = hasattr(data, "lists")
    result = data.copy()
    items = data.lists() if multi else data.items()
    for key, value in items:
        rule = rules.get(key) or rules.get(key.rpartition("_")[0])
        if rule is None:
            continue
        if isinstance(value, list | tuple):
            new = [rule(item) if isinstance(item, str) else item for item in value]
            if multi:
                result.setlist(key, new)
            else:
                result[key] = type(value)(new)
        elif isinstance(value, str):
            result[key] = rule(value)
    return result


class NormalizedFormMixin:
    """The first base of every portal form (``PortalForm``, the model forms, the public
    check-in form, the list filters' forms): submitted data is normalised once, before any field
    cleans it, so that validation, duplicate checks and the redisplayed form all see the same
    value. ``tests/test_normalize.py`` finds every form class of the portal and checks it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            rules = {}
            for name, field in self.fields.items():
                rule = field_rule(field)
                if rule is not None:
                    rules[self.add_prefix(name)] = rule
            self.data = normalized_data(self.data, rules)
