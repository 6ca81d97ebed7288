"""The English catalogue is complete, and the compiled .mo matches the .po it came from."""

import gettext
import json
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if block.startswith("#~"):
            continue

        def field(name, block=block):
            match = re.search(rf"^{name} ((?:\".*\"\n?)+)", block + "\n", re.M)
            if not match:
                return None
            return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1)))

        msgid = field("msgid")
        if not msgid:
            continue
        plural = field("msgid_plural")
        strings = [field(r"msgstr\[0\]"), field(r"msgstr\[1\]")] if plural else [field("msgstr")]
        yield block, field("msgctxt"), msgid, strings


def test_every_message_is_translated():
    missing = [msgid for block, _, msgid, strings in entries() if not all(strings) or "#, fuzzy" in block]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    catalogue = gettext.GNUTranslations(open(PO.with_suffix(".mo"), "rb"))  # noqa: SIM115
    stale = []
    for _, context, msgid, strings in entries():
        if len(strings) == 1:
            found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            if found != strings[0]:
                stale.append(msgid)
    assert stale == [], "run: msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po"
