"""The zh_Hans catalogue is complete: every message translated, none fuzzy, and the compiled file current."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "yinfa" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue.translated_entries()) > 500


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(PO))
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    source = {(e.msgctxt, e.msgid): e.msgstr for e in catalogue.translated_entries() if not e.msgid_plural}
    built = {(e.msgctxt, e.msgid): e.msgstr for e in compiled if not e.msgid_plural and e.msgid}
    assert source == built


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
    catalogue = polib.pofile(str(PO))
    wrong = [e.msgid for e in catalogue.translated_entries() if not e.msgid_plural
             and sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(e.msgstr))]
    assert wrong == []
