"""Forms validate and normalise; the views hand the result to a service."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promises.models import Activity, ActivityType, Area, User
from promises.selectors import ActivityContext
from promises.services import ActivityData, activity_check
from promises.validators import validate_no_personal_identity_number

YES_NO = [("ja", _("Yes")), ("nej", _("No"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActivityForm(forms.Form):
    """One entry of one activity type. Only the fields the type asks for are shown."""

    area = forms.TypedChoiceField(label=_("Area"), coerce=int, empty_value=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    first_time_user = forms.ChoiceField(
        label=_("First-time user of narcotics?"), choices=YES_NO, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_no_personal_identity_number],
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        validators=[validate_no_personal_identity_number],
        help_text=_("Never write names, personal identity numbers or anything else that identifies a person."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, activity_type: ActivityType, user: User, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity_type = activity_type
        self.user = user
        self.activity = activity
        self.organisation = activity.organisation if activity else user.organisation
        municipalities = [activity.area.municipality] if activity else None
        self.context = ActivityContext.load(municipalities=municipalities)
        self.fields["area"].choices = [("", _("Choose an area"))] + self._area_choices()
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
        self.fields["quantity"].max_value = activity_type.max_quantity
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
                    "first_time_user": {True: "ja", False: "nej"}.get(activity.first_time_user),
                    "duration_minutes": activity.duration_minutes,
                    "description": activity.description,
                    "note": activity.note,
                }
            )

    def _area_choices(self) -> list[tuple[int, str]]:
        area_ids: set[int] = set()
        for promise in self.context.promises.values():
            area_ids |= self.context.areas_for(promise.pk, self.activity_type.pk)
        if self.activity is not None:
            area_ids.add(self.activity.area_id)
        areas = Area.objects.filter(pk__in=area_ids).order_by("is_whole_municipality", "name")
        return [(area.pk, area.name) for area in areas]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        answer = cleaned.get("first_time_user")
        self.data_for_service = ActivityData(
            activity_type=self.activity_type,
            area=Area.objects.get(pk=cleaned["area"]),
            date=cleaned["date"],
            quantity=cleaned["quantity"],
            first_time_user=None if answer is None else answer == "ja",
            duration_minutes=cleaned.get("duration_minutes"),
            description=cleaned.get("description", ""),
            note=cleaned.get("note", ""),
        )
        try:
            activity_check(
                data=self.data_for_service, organisation=self.organisation, user=self.user, context=self.context
            )
        except ValidationError as exc:
            self._add_service_errors(exc)
        return cleaned

    def _add_service_errors(self, exc: ValidationError) -> None:
        for field, messages in exc.message_dict.items():
            target = field if field in self.fields else None
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


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{64}\.(csv|xlsx)$", widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    import_again = forms.BooleanField(label=_("Yes, import this file again"), required=False)
