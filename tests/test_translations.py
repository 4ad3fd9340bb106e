"""The Swedish translation is complete and its compiled catalogue matches the source."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "sv" / "LC_MESSAGES"


def test_translations_swedish_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_translations_compiled_catalogue_matches_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))

    def as_dict(catalogue):
        return {(e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in catalogue}

    assert as_dict(mo) == as_dict([e for e in po if not e.obsolete])
