"""Forms validate and normalise; the views hand the result to a service."""

import re
import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promises.models import Activity, ActivityType, Area, User
from promises.names import with_municipality
from promises.selectors import ActivityContext, AreaChoices, activity_area_choices, municipality_names
from promises.services import (
    ACTIVITY_AREA_REQUIRED,
    ACTIVITY_DATE_REQUIRED,
    ACTIVITY_DESCRIPTION_REQUIRED,
    ACTIVITY_DURATION_REQUIRED,
    ACTIVITY_FIRST_TIME_REQUIRED,
    ACTIVITY_QUANTITY_REQUIRED,
    TEXT_MAX_LENGTH,
    ActivityData,
)

YES_NO = [("ja", _("Yes")), ("nej", _("No"))]
YES_NO_VALUE: dict[bool | None, str] = {True: "ja", False: "nej"}  # unknown (None): no choice


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _grouped(choices: AreaChoices, municipalities: dict[int, str]) -> list:
    """The areas where the type counts first, the others after, each under a heading; a type
    no target counts (measures, meetings) gets one plain list. Where the areas lie in several
    municipalities (a police area serving them), each names its municipality: every one has
    its "Hela kommunen"."""

    def option(area: Area) -> tuple[int, str]:
        if len(municipalities) > 1:
            return area.pk, with_municipality(area.name, municipalities[area.municipality_id])
        return area.pk, area.name

    if not choices.counted:
        return [option(area) for area in choices.others]
    groups: list = [(_("Counts toward the citizen promise"), [option(area) for area in choices.counted])]
    if choices.others:
        label = _("Counts toward no target in the %(year)s promise") % {
            "year": " / ".join(str(year) for year in choices.years)
        }
        groups.append((label, [option(area) for area in choices.others]))
    return groups


class ActivityForm(forms.Form):
    """One entry of one activity type. Only the fields the type asks for are shown."""

    # A missing value gets the service's own sentence, the same whichever layer notices it.
    area = forms.TypedChoiceField(
        label=_("Area"), coerce=int, empty_value=None, error_messages={"required": ACTIVITY_AREA_REQUIRED}
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), error_messages={"required": ACTIVITY_DATE_REQUIRED})
    # Numbers without bounds here: the service checks them, with its own messages, together
    # with every other rule. The widgets still tell the browser the bounds.
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={"required": ACTIVITY_QUANTITY_REQUIRED},
    )
    first_time_user = forms.ChoiceField(
        label=_("First-time user of narcotics?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": ACTIVITY_FIRST_TIME_REQUIRED},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={"required": ACTIVITY_DURATION_REQUIRED},
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTH,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Never write names, personal identity numbers or anything else that identifies a person."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        activity_type: ActivityType,
        user: User,
        activity: Activity | None = None,
        context: ActivityContext | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.activity_type = activity_type
        self.user = user
        self.activity = activity
        self.organisation = activity.organisation if activity else user.organisation
        municipality = activity.area.municipality_id if activity else None
        # A new entry posted with an area: only the promises of that area's municipality are
        # loaded (the others' cannot hold it), so a post costs the same with 1 or 300 promises.
        self._posted_area = self._area_posted() if activity is None and context is None else None
        # The rules' context, loaded once for the request: the choices come from it, and the
        # view hands it to the service, which checks the entry against the same object.
        if context is None:
            context = self._context(municipality, area_id=self._posted_area)
        self.context = context
        self._offer(municipality)
        if not activity_type.has_first_time_user:
            del self.fields["first_time_user"]
        if not activity_type.has_duration:
            del self.fields["duration_minutes"]
        elif activity_type.min_duration_minutes:
            self.fields["duration_minutes"].help_text = _(
                "At least %(min)s minutes. A shorter control does not count toward the promise."
            ) % {"min": activity_type.min_duration_minutes}
        if not activity_type.requires_description:
            del self.fields["description"]
        else:
            self.fields["description"].error_messages["required"] = ACTIVITY_DESCRIPTION_REQUIRED % {
                "type": activity_type.name.lower()
            }
        self.fields["quantity"].widget.attrs["max"] = activity_type.max_quantity
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if activity is None:
            self.fields["date"].initial = timezone.localdate()
            self.fields["submission_key"].initial = uuid.uuid4()
        else:
            del self.fields["submission_key"]
            self.initial.update(
                {
                    "area": activity.area_id,
                    "date": activity.date,
                    "quantity": activity.quantity,
                    "first_time_user": YES_NO_VALUE.get(activity.first_time_user),
                    "duration_minutes": activity.duration_minutes,
                    "description": activity.description,
                    "note": activity.note,
                }
            )

    def _offer(self, municipality: int | None) -> None:
        """The areas on offer, from the context: those the posted area is checked against,
        and those the form shows."""
        choices = activity_area_choices(
            context=self.context,
            activity_type=self.activity_type,
            include=self.activity.area if self.activity else None,
            municipality=municipality,
            organisation_id=self.organisation.pk if self.organisation else None,
        )
        self.area_choices = choices
        self.areas = {area.pk: area for area in [*choices.counted, *choices.others]}
        municipalities = {area.municipality_id for area in self.areas.values()}
        names = municipality_names(ids=municipalities) if len(municipalities) > 1 else {}
        field = cast(forms.TypedChoiceField, self.fields["area"])
        field.choices = [("", _("Choose an area")), *_grouped(choices, names)]

    def _area_posted(self) -> int | None:
        if not self.is_bound:
            return None
        value = self.data.get(self.add_prefix("area"), "")
        return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None

    def _context(self, municipality: int | None, area_id: int | None = None) -> ActivityContext:
        """The rules' context of the organisation's promises (of the entry's municipality, when
        an entry is edited; of the posted area's, when a new one is posted)."""
        if self.organisation is None:
            return ActivityContext.load(municipalities=[])  # nothing to offer, nothing to load
        if area_id is not None:
            return ActivityContext.load(area_id=area_id, organisation_id=self.organisation.pk)
        return ActivityContext.load(
            municipalities=None if municipality is None else [municipality],
            organisation_id=self.organisation.pk,
        )

    def _offer_every_area(self) -> None:
        """A refused post is shown again: with the areas of every municipality the organisation
        works in, not only those of the posted area's (loaded only when there are others)."""
        if self._posted_area is None or self.organisation is None:
            return
        loaded = {municipality for municipality, _year in self.context.promises}
        if self.context.served.get(self.organisation.pk, set()) <= loaded:
            return
        self.context = self._context(None)
        self._posted_area = None
        self._offer(None)

    def clean_submission_key(self) -> uuid.UUID | None:
        # Never an error: every field the form can refuse is one the service refuses too, so
        # nothing is saved past a form error. A mangled key only loses the double-post guard.
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None

    def service_data(self) -> ActivityData:
        """What the form read, for the service to check: a value it could not read is None.

        Call after is_valid(). The form checks shape only (a number is a number, a date a
        date); the rules run in the service, which reports every mistake at once.
        """
        cleaned = self.cleaned_data
        answer = cleaned.get("first_time_user")
        area_id = cleaned.get("area")
        area = self.areas.get(area_id) if area_id is not None else None

        def text(name: str) -> str:
            # A text the form refused (too long, a personnummer) goes to the service as
            # written, so the service refuses it too and nothing is saved.
            if name in cleaned:
                return cleaned[name] or ""
            return self.data.get(self.add_prefix(name), "") if name in self.fields else ""

        return ActivityData(
            activity_type=self.activity_type,
            area=area,
            date=cleaned.get("date"),
            quantity=cleaned.get("quantity"),
            first_time_user=None if not answer else answer == "ja",
            duration_minutes=cleaned.get("duration_minutes"),
            description=text("description"),
            note=text("note"),
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show the service's errors next to their fields; a field the form already refused
        keeps its own message, so nothing is said twice."""
        self._offer_every_area()
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for field, messages in exc.message_dict.items():
            target = field if field in self.fields else None
            if target is not None and target in self.errors:
                continue
            for message in messages:
                self.add_error(target, message)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_(
            "Columns: datum; aktivitet; område; antal; förstagångsanvändare; varaktighet_min; beskrivning; anteckning"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        error_messages={
            "required": _("Choose a CSV or Excel file to upload."),
            "empty": _("The file is empty. Choose a CSV or Excel file with a header row and at least one row."),
        },
    )


# An uploaded file waiting for confirmation (or for its bad rows to be downloaded): its checksum and kind.
IMPORT_TOKEN = re.compile(r"^[0-9a-f]{64}\.(csv|xlsx)$")


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=IMPORT_TOKEN, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    import_again = forms.BooleanField(label=_("Yes, import this file again"), required=False)
