"""What a browser sends from a form of the portal, and what anyone else may send instead.

``page_form(html, page_url, target)`` reads, out of a rendered page, the form that submits to
``target``: each field with its kind (text, date, select, check boxes, file …), the values the
page would send as it stands and, for lists, radio buttons and check boxes, the values on offer.

``submissions(fields, valid=…, foreign_ids=…)`` is a hypothesis strategy of the data a client
posts (or puts in a query string): the page's values with the case's valid ones on top, and then
none, one, several or all fields replaced by hostile input or left out, plus fields the form does
not have. Hostile input: random Unicode (control characters, NUL, emoji, right-to-left marks,
full-width digits, characters that grow under NFKC), very long strings, numbers out of any
range, malformed and extreme dates, lists where one value is expected, ids of other
organisations' records and of nothing at all, and files that are not what they claim to be.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests import files

# --------------------------------------------------------------------------- reading a page

BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})


@dataclass(frozen=True)
class Field:
    name: str
    # text, textarea, password, email, url, tel, number, date, datetime-local, hidden,
    # checkbox (one box), checkboxes (several boxes of one name), radio, select, multiple, file,
    # submit (named buttons: the one clicked sends its value)
    kind: str
    values: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file to attach, made afresh for every submission (an upload is read only once)."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


def _path(url: str | None, page_url: str) -> str:
    return urlsplit(url).path if url else urlsplit(page_url).path


def page_form(html: str, page_url: str, target: str, *, method: str = "post") -> dict[str, Field]:
    """The fields of the form on the page that submits to ``target`` with ``method`` (by its
    action, or by a button's formaction)."""
    document = lxml.html.document_fromstring(html)
    wanted = urlsplit(target).path
    for form in document.forms:
        if (form.get("method") or "get").lower() != method:
            continue
        actions = {_path(form.get("action"), page_url)}
        actions |= {_path(button.get("formaction"), page_url) for button in form.xpath(".//*[@formaction]")}
        if wanted in actions:
            return form_fields(form)
    raise LookupError(f"no {method.upper()} form for {wanted} on {page_url}")


def form_fields(form) -> dict[str, Field]:
    grouped: dict[str, list] = {}
    for element in form.xpath(".//input | .//select | .//textarea | .//button"):
        name = element.get("name")
        if not name or name == "csrfmiddlewaretoken" or element.get("disabled") is not None:
            continue
        grouped.setdefault(name, []).append(element)
    return {name: _field(name, elements) for name, elements in grouped.items()}


def _field(name: str, elements: list) -> Field:
    first = elements[0]
    kind = (first.get("type") or "text").lower()
    if first.tag == "button" or kind in BUTTON_TYPES:
        # Named buttons: the browser sends the value of the one clicked.
        return Field(name, "submit", (), tuple(element.get("value", "") for element in elements))
    if first.tag == "select":
        options = tuple(option.get("value", option.text_content()) for option in first.iter("option"))
        selected = tuple(
            option.get("value", option.text_content())
            for option in first.iter("option")
            if option.get("selected") is not None
        )
        if first.get("multiple") is not None:
            return Field(name, "multiple", selected, options)
        # A browser sends the first option of a list where none is selected.
        return Field(name, "select", selected[:1] or options[:1], options)
    if first.tag == "textarea":
        # A newline right after <textarea> is not part of the value (HTML parsing rules).
        return Field(name, "textarea", ((first.text or "").removeprefix("\n"),))
    if kind in ("checkbox", "radio"):
        options = tuple(element.get("value", "on") for element in elements)
        checked = tuple(
            element.get("value", "on") for element in elements if element.get("checked") is not None
        )
        if kind == "checkbox" and len(elements) > 1:
            kind = "checkboxes"
        return Field(name, kind, checked, options)
    if kind == "file":
        return Field(name, "file")
    return Field(name, kind, (first.get("value", ""),))


# --------------------------------------------------------------------------- hostile values

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "姜山\x00镇",
    "\x01\x02\x1b[31m\x7f",
    "\t\r\n",
    "\u202e\u200f姜山镇科协\u200e",
    "\u200b\ufeff",
    "😀🇨🇳👨‍👩‍👧",
    "１３８００１３８０００",
    "+86 138-0013-8000",
    "＋８６　１３８ ００１３ ８０００",
    "13800138000",
    "330212198001011237x",
    "３３０２１２１９８００１０１１２３Ｘ",
    "ﷺ㍿",
    "ﷺ" * 20,
    "Ａｂｃ　ｘｙｚ",
    "e\u0301\u0301\u0301",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request }}{% debug %}",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "../../../etc/passwd",
    "%s%n%x",
    "None",
    "null",
    "[]",
    "{}",
    "true",
]
LONG_PIECES = ["x", "长", "😀", "ﷺ", "\u200f", "1"]
LONG_LENGTHS = [17, 19, 21, 33, 65, 101, 129, 201, 256, 501, 2001, 4001, 20001]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "0.5",
    "1.005",
    "24.001",
    "99.95",
    "100.05",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1,000",
    "1_000",
    "0x10",
    " 7 ",
    "１０",
    "٣",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999",
    "1" + "0" * 400,
]
BAD_DATES = [
    "2022-02-30",
    "2023-02-29",
    "2022-13-01",
    "2022-00-10",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2022-01-01",
    "2022/10/01",
    "20221001",
    "2022-10-01T09:00",
    "２０２２－１０－０１",
    "2022-W40",
    "2022-10",
    "1e9",
]
BAD_DATETIMES = [
    "2022-10-01T24:00",
    "2022-10-01T09:60",
    "2022-10-01 09:00:00+14:00",
    "2022-10-01T09:00Z",
    "0001-01-01T00:00",
    "0001-01-01T07:59",
    "9999-12-31T23:59",
    "2022-10-01",
    "2022-10-01T",
    "T09:00",
    "２０２２－１０－０１Ｔ０９：００",
]
EMAILS = ["a@b", "@", "x@例子.中国", "a@b.c" + "m" * 300, "a b@c.d", "测试@鄞州.cn"]
URLS = [
    "javascript:alert(1)",
    "http://",
    "ftp://example.com/x",
    "https://例子.测试/路径?q=1",
    "http://[::1",
    "//example.com",
    "https://" + "a" * 600 + ".com",
    "www.example.com",
    "data:text/html,<b>x</b>",
]
# Names a client might add to any form: fields the views fill in themselves, and others.
EXTRA_NAMES = [
    "id",
    "pk",
    "actor",
    "created_by",
    "organization",
    "organizer",
    "status",
    "user",
    "is_staff",
    "is_superuser",
    "next",
    "held",
    "full",
    "write_all",
    "姓名",
]


def hostile_text(longest: int = LONG_LENGTHS[-1]) -> st.SearchStrategy[str]:
    lengths = [length for length in LONG_LENGTHS if length <= longest]
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=24),
        st.builds(operator.mul, st.sampled_from(LONG_PIECES), st.sampled_from(lengths)),
    )


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.decimals(places=3, allow_nan=False, allow_infinity=False).map(str),
    )


def dates() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(datetime.date.isoformat), st.sampled_from(BAD_DATES))


def datetimes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
        st.sampled_from(BAD_DATETIMES),
    )


def ids(foreign_ids: list[int]) -> st.SearchStrategy[str]:
    """Primary keys of other organisations' records, of nothing, and not numbers at all."""
    choices = [st.integers(min_value=-(2**63), max_value=2**64).map(str), st.sampled_from(NUMBERS)]
    if foreign_ids:
        choices.insert(0, st.sampled_from(sorted(foreign_ids)).map(str))
    return st.one_of(*choices)


UPLOADS = [
    Upload("照片.png", files.PNG, "image/png"),
    Upload("扫描件.pdf", files.PDF, "application/pdf"),
    Upload("photo.jpg", b"", "image/jpeg"),
    Upload("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    Upload("report.pdf", b"%PDF-1.7\n" + b"x" * 64, "application/pdf"),
    Upload("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    Upload("page.html", b"<script>alert(1)</script>", "text/html"),
    Upload("archive.zip", b"PK\x03\x04" + b"\x00" * 64, "application/zip"),
    Upload("照片.png.exe", files.PNG, "image/png"),
    Upload("\u202egnp.exe", files.PNG, "image/png"),
    Upload("a" * 300 + ".png", files.PNG, "image/png"),
    Upload("ﷺ" * 40 + ".pdf", files.PDF, "application/pdf"),
    Upload("..\\..\\x.png", files.JPEG, "image/png"),
]


def uploads() -> st.SearchStrategy[Upload]:
    return st.sampled_from(UPLOADS)


def field_value(field: Field, foreign_ids: list[int], longest: int = LONG_LENGTHS[-1]) -> st.SearchStrategy:
    """Something other than what the page offers for ``field``: a string, a list of strings
    (several values under one name) or an Upload; text at most ``longest`` characters long."""
    offered = st.sampled_from(field.options) if field.options else st.just("")
    any_id = ids(foreign_ids)
    text = hostile_text(longest)
    several = st.lists(st.one_of(offered, any_id, text), min_size=2, max_size=4)
    kind = field.kind
    if kind == "file":
        return st.one_of(uploads(), st.lists(uploads(), min_size=2, max_size=3), text)
    if kind in ("multiple", "checkboxes"):
        return st.one_of(st.lists(st.one_of(offered, any_id), max_size=5), several, text)
    if kind in ("select", "radio", "submit"):
        return st.one_of(offered, any_id, text, several)
    if kind == "checkbox":
        return st.one_of(st.sampled_from(["on", "", "off", "0", "false", "False"]), text, several)
    if kind == "number":
        return st.one_of(numbers(), text, several)
    if kind == "date":
        return st.one_of(dates(), text, several)
    if kind == "datetime-local":
        return st.one_of(datetimes(), dates(), text, several)
    if kind == "email":
        return st.one_of(st.sampled_from(EMAILS), text, several)
    if kind == "url":
        return st.one_of(st.sampled_from(URLS), text, several)
    if kind == "hidden":
        return st.one_of(text, any_id, several)
    return st.one_of(text, numbers(), dates(), several)


# gunicorn refuses a request line over 4094 bytes before the portal sees it: text in a query
# string is kept to about a hundred characters a parameter.
QUERY_TEXT = 101


def query_value(foreign_ids: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(hostile_text(QUERY_TEXT), ids(foreign_ids), dates(), numbers())


MODES = ("as_valid", "one_field", "several_fields", "every_field")


@st.composite
def submissions(
    draw,
    fields: dict[str, Field],
    *,
    valid: dict[str, object] | None = None,
    foreign_ids: list[int] | None = None,
    longest: int = LONG_LENGTHS[-1],
) -> dict[str, object]:
    """Data for one submission: see the module's docstring. Values are strings, lists of
    strings or Uploads; a field left out is absent from the dictionary."""
    foreign_ids = foreign_ids or []
    data: dict[str, object] = {
        name: list(field.values) for name, field in fields.items() if field.values and field.kind != "file"
    }
    data.update(valid or {})
    names = sorted(set(fields) | set(valid or {}))
    mode = draw(st.sampled_from(MODES if names else MODES[:1]))
    if mode == "as_valid":
        changed: list[str] = []
    elif mode == "one_field":
        changed = [draw(st.sampled_from(names))]
    elif mode == "several_fields":
        changed = draw(st.lists(st.sampled_from(names), min_size=min(2, len(names)), unique=True))
    else:
        changed = names
    for name in changed:
        field = fields.get(name, Field(name, "text"))
        value = draw(st.one_of(st.none(), field_value(field, foreign_ids, longest)))
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    extras = draw(
        st.dictionaries(
            st.sampled_from(EXTRA_NAMES), st.one_of(hostile_text(longest), ids(foreign_ids)), max_size=2
        )
    )
    for name, value in extras.items():
        data.setdefault(name, value)
    return data


def encode(data: dict[str, object]) -> dict[str, object]:
    """The submission as the test client takes it, with fresh files."""

    def one(value):
        return value.file() if isinstance(value, Upload) else value

    return {
        name: [one(item) for item in value] if isinstance(value, list) else one(value)
        for name, value in data.items()
    }
