"""The write API's bodies: reading a JSON entry into what the services check, and the
serializers that describe entries in the OpenAPI schema.

Reading checks the shape only (a date is a date, a number a number, a name is known) and
hands the rest to `activity_check`, the one set of rules the form and the import use too: a
value that cannot be read goes to the rules as missing, and every mistake of an entry is
reported at once, each with its field, a code and a Swedish message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from promises.importing import ISO_DATE_SHAPE, NOT_A_CALENDAR_DAY, NOT_A_DATE, Names
from promises.models import Activity, ActivityType, Area
from promises.services import ActivityData

MAX_ENTRIES = 10_000

ENTRY_NOT_AN_OBJECT = gettext_lazy("An entry must be a JSON object with the fields activity_type, area, date, …")
ENTRY_UNKNOWN_FIELD = gettext_lazy("Unknown field “%(field)s”. The fields are: %(fields)s.")
ENTRY_TYPE_REQUIRED = gettext_lazy("Name the activity (activity_type): its name or code.")
ENTRY_NOT_TEXT = gettext_lazy("Write this as text (a JSON string).")
ENTRY_BAD_CHARACTERS = gettext_lazy("The text contains characters that cannot be saved.")
ENTRY_NOT_A_WHOLE_NUMBER = gettext_lazy("Write a whole number (a JSON number without decimals).")
ENTRY_NOT_A_BOOLEAN = gettext_lazy("Write true or false.")
FILTER_NOT_A_DATE = gettext_lazy("The filter %(name)s must be a date written as YYYY-MM-DD, not “%(value)s”.")


@dataclass
class EntryError:
    """One mistake of one entry: its index in the batch (0 for a single entry), the field
    (None for the entry as a whole), a code for machines and the message for people."""

    index: int
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "code": self.code, "message": self.message}


class _Unreadable(ValueError):
    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Unreadable("invalid", ENTRY_NOT_TEXT)
    try:
        value.encode("utf-8")  # a lone surrogate ("\ud800") is JSON but no text a database stores
    except UnicodeEncodeError:
        raise _Unreadable("invalid", ENTRY_BAD_CHARACTERS) from None
    return value


def _date(value: Any) -> date:
    text = _text(value)
    if not ISO_DATE_SHAPE.fullmatch(text):
        raise _Unreadable("invalid_date", NOT_A_DATE % {"value": text[:40]})
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Unreadable("invalid_date", NOT_A_CALENDAR_DAY % {"value": text}) from None


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unreadable("invalid", ENTRY_NOT_A_WHOLE_NUMBER)
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Unreadable("invalid", ENTRY_NOT_A_BOOLEAN)
    return value


# Each field of an entry: how it is read, and what an absent or null value means.
# activity_type and area are names, resolved by the import's name lookup (names_load).
ENTRY_FIELDS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "activity_type": (_text, None),
    "area": (_text, None),
    "date": (_date, None),
    "quantity": (_whole_number, 1),
    "first_time_user": (_boolean, None),
    "duration_minutes": (_whole_number, None),
    "description": (_text, ""),
    "note": (_text, ""),
}


def _read_fields(value: dict, *, index: int) -> tuple[dict[str, Any], list[EntryError]]:
    """Every field read by its parser: an absent or null value is the field's default (a null
    quantity stays None, for the rules to ask for it), an unreadable one a mistake."""
    errors: list[EntryError] = []
    for key in value:
        if key not in ENTRY_FIELDS:
            message = ENTRY_UNKNOWN_FIELD % {"field": str(key)[:40], "fields": ", ".join(ENTRY_FIELDS)}
            errors.append(EntryError(index, str(key)[:100], "unknown_field", message))
    read: dict[str, Any] = {}
    for name, (parse, default) in ENTRY_FIELDS.items():
        given = value.get(name)
        if given is None:
            read[name] = None if name == "quantity" and name in value else default
            continue
        try:
            read[name] = parse(given)
        except _Unreadable as exc:
            errors.append(EntryError(index, name, exc.code, str(exc)))
            read[name] = "" if isinstance(default, str) else None
    return read, errors


def read_entry(value: Any, *, index: int, names: Names) -> tuple[ActivityData | None, list[EntryError]]:
    """One entry's shape: what it says, for the rules, and the mistakes in its shape.

    A value that cannot be read is handed to the rules as missing (they check the rest);
    None means the entry cannot be checked at all (not an object, or no known activity).
    """
    if not isinstance(value, dict):
        return None, [EntryError(index, None, "invalid_entry", str(ENTRY_NOT_AN_OBJECT))]
    read, errors = _read_fields(value, index=index)
    activity_type: ActivityType | None = None
    if read["activity_type"] is not None:
        activity_type = names.activity_type(read["activity_type"])
        if activity_type is None:
            message = names.unknown_activity(read["activity_type"])
            errors.append(EntryError(index, "activity_type", "unknown_activity_type", message))
    elif not any(error.field == "activity_type" for error in errors):
        errors.append(EntryError(index, "activity_type", "required", str(ENTRY_TYPE_REQUIRED)))
    area: Area | None = None
    if read["area"] is not None:
        area = names.area(read["area"])
        if area is None:
            errors.append(EntryError(index, "area", "unknown_area", names.unknown_area(read["area"])))
    if activity_type is None:
        return None, errors
    data = ActivityData(activity_type=activity_type, area=area, **{k: read[k] for k in _RULE_FIELDS})
    return data, errors


_RULE_FIELDS = ("date", "quantity", "first_time_user", "duration_minutes", "description", "note")


@dataclass
class ActivityFilters:
    date_from: date | None = None
    date_to: date | None = None
    activity_type: ActivityType | None = None
    area: Area | None = None


class FilterError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def read_filters(params, *, names: Callable[[], Names]) -> ActivityFilters:
    """The list's filters from the query string; a value that cannot be read is refused
    (FilterError), never ignored, so a mistyped filter never returns everything. `names` loads
    the known names, only when a filter names something."""
    filters = ActivityFilters()
    for name in ("date_from", "date_to"):
        text = params.get(name, "")
        if text:
            try:
                setattr(filters, name, _date(text))
            except _Unreadable:
                raise FilterError(
                    "invalid_filter", str(FILTER_NOT_A_DATE % {"name": name, "value": text[:40]})
                ) from None
    if params.get("activity_type"):
        filters.activity_type = names().activity_type(params["activity_type"])
        if filters.activity_type is None:
            raise FilterError("unknown_activity_type", names().unknown_activity(params["activity_type"][:100]))
    if params.get("area"):
        filters.area = names().area(params["area"])
        if filters.area is None:
            raise FilterError("unknown_area", names().unknown_area(params["area"][:100]))
    return filters


def entry_errors_from_rules(index: int, exc, *, shape_errors: list[EntryError]) -> list[EntryError]:
    """The rules' errors of an entry (a ValidationError by field), leaving out a field whose
    shape was already refused: its value reached the rules as missing, which says nothing new."""
    refused = {error.field for error in shape_errors if error.index == index}
    errors = []
    for field, field_errors in exc.error_dict.items():
        if field in refused:
            continue
        for error in field_errors:
            message = error.message % error.params if error.params else error.message
            errors.append(
                EntryError(index, None if field == "__all__" else field, error.code or "invalid", str(message))
            )
    return errors


# --- The schema: what an entry looks like, in and out -------------------------------------------


# It documents the body only: read_entry reads it and the rules check it.
class ActivityInSerializer(serializers.Serializer):
    """One entry: what was done, where, when and how many. No other fields."""

    activity_type = serializers.CharField(
        help_text="The activity's name or code, as in the import: “Fotpatrullering” or “fotpatrull”."
    )
    area = serializers.CharField(help_text="The area's name: “Råslätt”, “Hela Jönköpings kommun”.")
    date = serializers.DateField(help_text="The day it was done, YYYY-MM-DD; not in the future.")
    quantity = serializers.IntegerField(
        required=False, default=1, help_text="How many, at least 1 and at most the activity's maximum; 1 if left out."
    )
    first_time_user = serializers.BooleanField(
        required=False, allow_null=True, help_text="Required for activities that ask it (drug offences)."
    )
    duration_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Required for activities that ask it (traffic controls, at least 20).",
    )
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Required for measures and analyses; never a personal identity number.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="Optional; never a name or a personal identity number."
    )


class ActivityCreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many entries were saved.")
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="Their ids, in the order sent.")


class ActivityOutSerializer(serializers.ModelSerializer):
    activity_type = serializers.CharField(source="activity_type.code", help_text="The activity's code.")
    activity_type_name = serializers.CharField(source="activity_type.name")
    area = serializers.CharField(source="area.name")

    class Meta:
        model = Activity
        fields = [
            "id",
            "activity_type",
            "activity_type_name",
            "area",
            "date",
            "quantity",
            "first_time_user",
            "duration_minutes",
            "description",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EntryErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The entry's position in the batch, from 0 (0 for a single entry).")
    field = serializers.CharField(allow_null=True, help_text="The field at fault; null for the entry as a whole.")
    code = serializers.CharField(help_text="What is wrong, for machines: required, unknown_area, date_in_future, …")
    message = serializers.CharField(help_text="What is wrong, in Swedish.")


class ApiErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What is wrong, for machines.")
    detail = serializers.CharField(help_text="What is wrong, in Swedish.")


class EntriesErrorSerializer(ApiErrorSerializer):
    errors = EntryErrorSerializer(  # type: ignore[assignment]  # a declared field, not Serializer.errors: the metaclass takes it
        many=True, required=False, help_text="Every mistake of every entry (when entries were refused)."
    )
