"""Names as staff write them: an area or an activity type found by its name, its code or an
alias, whatever the case and the accents, and a suggestion for a name nothing matches.

"Öxnehaga", "oxnehaga" and "ÖXNEHAGA" are the same area. Å, ä and ö stay distinct from a and
o only where it matters: when two known names differ by nothing else, only the exact
spelling (case aside) finds either of them.
"""

import difflib
import unicodedata
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


def casefolded(text: str) -> str:
    """Case and spacing aside: "  Hela  Kommunen " → "hela kommunen"."""
    return " ".join(text.split()).casefold()


def folded(text: str) -> str:
    """Case, spacing and accents aside: "ÖXNEHAGA" → "oxnehaga"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return casefolded("".join(char for char in decomposed if not unicodedata.combining(char)))


def with_municipality(name: str, municipality: str) -> str:
    """An area's name with its municipality, "Hela kommunen (Habo)": how the form shows and the
    import and API accept the areas of the same name in the municipalities one police area serves."""
    return f"{name} ({municipality})"


class NameIndex(Generic[T]):
    """Objects by every name they go by (a name, a code, aliases), matched loosely."""

    def __init__(self, entries: Iterable[tuple[T, str, Iterable[str]]]) -> None:
        """`entries`: (object, the name shown in suggestions, every name it may be written as)."""
        self._exact: dict[str, set[T]] = {}
        self._loose: dict[str, set[T]] = {}
        self._display: dict[str, str] = {}  # a folded name → the shown name of its object
        for obj, shown, names in entries:
            for name in {shown, *names}:
                if not str(name).strip():
                    continue
                self._exact.setdefault(casefolded(str(name)), set()).add(obj)
                self._loose.setdefault(folded(str(name)), set()).add(obj)
                self._display.setdefault(folded(str(name)), shown)

    def get(self, text: str) -> T | None:
        """The one object `text` names, or None (unknown, or ambiguous)."""
        exact = self._exact.get(casefolded(text), set())
        if len(exact) == 1:
            return next(iter(exact))
        if exact:
            return None
        loose = self._loose.get(folded(text), set())
        return next(iter(loose)) if len(loose) == 1 else None

    def matches(self, text: str) -> set[T]:
        """Every object `text` could name: one when `get` finds it, several when it is ambiguous."""
        exact = self._exact.get(casefolded(text), set())
        return set(exact) if exact else set(self._loose.get(folded(text), set()))

    def suggest(self, text: str) -> str | None:
        """The shown name of the closest known name, if any is close enough (difflib)."""
        if not text.strip():
            return None
        matches = difflib.get_close_matches(folded(text), list(self._display), n=1, cutoff=0.6)
        if not matches:
            # A name inside a longer one ("kommunen" in "hela jonkopings kommun") is close too.
            key = folded(text)
            contained = sorted(name for name in self._display if len(key) >= 4 and (key in name or name in key))
            matches = contained[:1]
        return self._display[matches[0]] if matches else None
