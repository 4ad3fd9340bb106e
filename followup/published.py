"""A published target: one type for the snapshot both parties sign, the public's redacted view
of it, and the open-data API.

The snapshot is plain JSON (it is fingerprinted and frozen); this type names every key once,
with its meaning, so that a key added to the snapshot cannot silently go missing from the API:
the serializer is built from these fields, and a test compares the two.
"""

from dataclasses import asdict, dataclass, field, fields
from types import UnionType
from typing import Any, get_type_hints

from followup.engine import whole
from followup.status import Status

# Keys shown to the public and in the API but never written into a snapshot: the redaction or
# the reading of an old snapshot sets them.
PUBLIC_ONLY = {"year_to_date_text", "status_label", "status_recomputed"}
# Keys a snapshot carries only once the year is over, so earlier tertials' snapshots (and the
# checksums both parties approved) keep the shape they had.
FINAL_ONLY = {"final", "difference"}


def whole_counts(target: dict) -> dict:
    """A snapshot target with expected and forecast in whole activities or periods.

    Snapshots frozen before the engine gave them whole (followup.engine.whole) hold 532.6; read
    and fingerprinted through this, they show and compare as 533, so an old publication reads as
    a new one does and approving unchanged figures again is still "already published"."""
    if target.get("unit") not in ("count", "periods"):
        return target
    rounded = {key: whole(target[key]) for key in ("expected", "forecast") if target.get(key) is not None}
    return {**target, **rounded} if rounded else target


def _meta(help_text: str = "", *, choices: tuple[str, ...] = (), api: bool = True) -> dict[str, Any]:
    return {"help": help_text, "choices": choices, "api": api}


@dataclass
class PublishedTarget:
    id: int = field(metadata=_meta("The target's row; the API identifies targets by key instead.", api=False))
    key: str = field(metadata=_meta("Stable identifier of the target within the promise."))
    section_number: int = field(metadata=_meta())
    section_title: str = field(metadata=_meta())
    commitment_label: str = field(metadata=_meta())
    commitment_text: str = field(metadata=_meta())
    title: str = field(metadata=_meta())
    kind: str = field(metadata=_meta(choices=("count", "share", "cadence", "qualitative")))
    unit: str = field(metadata=_meta(choices=("count", "percent", "periods", "none")))
    period: str = field(metadata=_meta())
    areas: list[str] = field(metadata=_meta())
    sensitive: bool = field(metadata=_meta())
    target: float | None = field(metadata=_meta("The year's target (count, percent or periods)."))
    outcome: float | None = field(metadata=_meta("In the tertial; null for sensitive targets."))
    year_to_date: float | None = field(metadata=_meta())
    expected: float | None = field(metadata=_meta())
    attainment: float | None = field(metadata=_meta("Year to date against expected, %."))
    progress: float | None = field(metadata=_meta("Year to date against the year's target, %."))
    forecast: float | None = field(metadata=_meta())
    needed_per_week: float | None = field(metadata=_meta())
    periods_total: int | None = field(metadata=_meta())
    missed: dict[str, list[str]] = field(metadata=_meta("Per area, the periods not covered."))
    status: str = field(
        metadata=_meta(
            "While the year runs: on_track, at_risk, behind or not_started. Once the year is over (the published "
            "tertial 3), a count, share or cadence target is achieved or not_achieved. A qualitative target's "
            "status is the managers' assessment; not_assessed means they could not assess it, no_status that "
            "they have not given one (yet).",
            choices=tuple(Status),
        )
    )
    analysis: str = field(metadata=_meta())
    measures: str = field(metadata=_meta())
    area_year_to_date: dict[str, float] = field(
        default_factory=dict,
        metadata=_meta("For a count target over several areas, each area's part of the year to date."),
    )
    final: bool = field(
        default=False,
        metadata=_meta("The year is over: year_to_date is the full-year outcome and status is final."),
    )
    difference: float | None = field(
        default=None,
        metadata=_meta("When final: the full-year outcome minus the target (negative when short of it)."),
    )
    year_to_date_text: str = field(
        default="", metadata=_meta("Set instead of year_to_date when the number is too small to publish.")
    )
    status_label: str = field(default="", metadata=_meta("The status in words, in the reader's language."))
    status_recomputed: bool = field(
        default=False,
        metadata=_meta(
            "The final status was computed afterwards from the figures of a tertial 3 published before "
            "year-end statuses existed; the figures themselves are as published."
        ),
    )

    @classmethod
    def from_snapshot(cls, data: dict) -> "PublishedTarget":
        """A target as a snapshot stored it; keys older snapshots lack take their defaults, and
        their expected and forecast counts read whole, as the engine gives them now."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in whole_counts(data).items() if key in names})

    def snapshot(self) -> dict:
        """The JSON a publication freezes."""
        data = asdict(self)
        drop = PUBLIC_ONLY | (set() if self.final else FINAL_ONLY)
        return {key: value for key, value in data.items() if key not in drop}

    def as_dict(self) -> dict:
        return asdict(self)


def _api_field(hint: Any, options: dict[str, Any]) -> Any:
    from rest_framework import serializers

    simple = {
        str: lambda: serializers.CharField(allow_blank=True, **options),
        bool: lambda: serializers.BooleanField(**options),
        int: lambda: serializers.IntegerField(**options),
        float: lambda: serializers.FloatField(**options),
        list[str]: lambda: serializers.ListField(child=serializers.CharField(), **options),
        dict[str, list[str]]: lambda: serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), **options
        ),
        dict[str, float]: lambda: serializers.DictField(child=serializers.FloatField(), **options),
    }
    if hint not in simple:  # a new field of a type the API does not know yet fails loudly, at import
        raise TypeError(f"No API field for {hint}")
    return simple[hint]()


def published_target_api_fields() -> dict[str, Any]:
    """The serializer fields of a published target, one per field of the type the API shows."""
    from rest_framework import serializers

    hints = get_type_hints(PublishedTarget)
    result: dict[str, Any] = {}
    for spec in fields(PublishedTarget):
        meta = spec.metadata
        if not meta["api"]:
            continue
        hint = hints[spec.name]
        options: dict[str, Any] = {"help_text": meta["help"]} if meta["help"] else {}
        if isinstance(hint, UnionType) and type(None) in hint.__args__:
            options["allow_null"] = True
            hint = next(arg for arg in hint.__args__ if arg is not type(None))
        if meta["choices"]:
            result[spec.name] = serializers.ChoiceField(choices=list(meta["choices"]), **options)
        else:
            result[spec.name] = _api_field(hint, options)
    return result
