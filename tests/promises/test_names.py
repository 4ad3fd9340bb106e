from hypothesis import given
from hypothesis import strategies as st

from promises.names import NameIndex, casefolded, folded

AREAS = ["Råslätt", "Öxnehaga", "Österängen", "Ekhagen", "Huskvarna", "Hela Jönköpings kommun"]


def _index() -> NameIndex[str]:
    aliases = {"Hela Jönköpings kommun": ["Hela kommunen", "Kommunen"], "Huskvarna": ["Huskvarna södra"]}
    return NameIndex((name, name, aliases.get(name, [])) for name in AREAS)


def test_a_name_is_found_whatever_the_case_the_accents_and_the_spacing():
    index = _index()
    for written in ("Öxnehaga", "oxnehaga", "ÖXNEHAGA", "  öxnehaga ", "Oxnehaga"):
        assert index.get(written) == "Öxnehaga"
    assert index.get("hela  KOMMUNEN") == "Hela Jönköpings kommun"
    assert index.get("huskvarna sodra") == "Huskvarna"


def test_accents_tell_names_apart_where_only_they_differ():
    index: NameIndex[str] = NameIndex([("Ås", "Ås", []), ("As", "As", [])])
    assert (index.get("ås"), index.get("AS")) == ("Ås", "As")
    # Neither exact spelling: ambiguous, so unknown rather than a guess.
    assert NameIndex([("Ås", "Ås", []), ("Äs", "Äs", [])]).get("as") is None


def test_an_unknown_name_gets_the_closest_known_one():
    index = _index()
    assert index.get("Hela kommun") is None
    assert index.suggest("Hela kommun") == "Hela Jönköpings kommun"
    assert index.suggest("Raslat") == "Råslätt"
    assert index.suggest("Stockholm") is None
    assert index.suggest("") is None


@given(st.sampled_from(AREAS), st.lists(st.booleans(), min_size=30, max_size=30), st.booleans())
def test_every_mix_of_case_and_accents_finds_the_area(name, upper, strip_accents):
    written = "".join(c.upper() if u else c.lower() for c, u in zip(name, upper * 3, strict=False))
    if strip_accents:
        written = folded(written)
    assert _index().get(written) == name


@given(st.text(max_size=40))
def test_folding_never_fails_and_is_idempotent(text):
    assert folded(folded(text)) == folded(text)
    assert casefolded(casefolded(text)) == casefolded(text)
