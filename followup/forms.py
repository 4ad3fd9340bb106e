import html
from typing import cast

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from followup.models import FINAL_OUTCOMES, Status, TertialNumber
from promises.models import Promise, PromiseQuerySet, Target
from promises.validators import validate_no_personal_identity_number


class FollowupChoiceForm(forms.Form):
    promise = forms.ModelChoiceField(label=_("Citizen promise"), queryset=Promise.objects.none(), empty_label=None)
    tertial = forms.TypedChoiceField(label=_("Tertial"), choices=TertialNumber.choices, coerce=int)

    def __init__(self, *args, promises: PromiseQuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.promises = promises.public().order_by("-year", "municipality__name")
        cast(forms.ModelChoiceField, self.fields["promise"]).queryset = self.promises  # the field declared above

    def promise_options(self, *, selected: Promise | None) -> str:
        """The promise list's <option>s, joined in Python: at national scale there are hundreds,
        and a template loop over them cost more than the rest of the cached dashboard.

        The standard library's escape is the one Django's wraps; called directly it is several
        times cheaper than format_html per option, which made this the page's largest cost."""
        selected_pk = selected.pk if selected is not None else None
        rows = self.promises.values_list("pk", "title", "municipality__name", "year", "is_demo")
        demo = html.escape(", " + str(_("demo")))  # invented figures say so, as on the public pages
        return mark_safe(  # every text value below is escaped; pk and year are integers
            "".join(
                f'<option value="{pk}"{" selected" if pk == selected_pk else ""}>'
                f"{html.escape(title)} ({html.escape(municipality)} {year}{demo if is_demo else ''})</option>"
                for pk, title, municipality, year, is_demo in rows
            )
        )


class TargetCommentForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        validators=[validate_no_personal_identity_number],
        help_text=_("How it is going and why. Published with the tertial."),
    )
    measures = forms.CharField(
        label=_("Measures decided"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        validators=[validate_no_personal_identity_number],
    )
    # "No status yet" is what leaving it unset means, not a status to choose.
    manual_status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not set"))] + [choice for choice in Status.choices if choice[0] != Status.NO_STATUS],
    )

    def __init__(self, *args, target: Target, final: bool = False, **kwargs):
        """`final`: the year is over, and a status set by hand is the year's outcome."""
        super().__init__(*args, **kwargs)
        if target.kind != Target.Kind.QUALITATIVE:
            del self.fields["manual_status"]
        elif final:
            field = cast(forms.ChoiceField, self.fields["manual_status"])
            outcomes = list(FINAL_OUTCOMES)
            # A status set while the year ran stays in the list, so a comment edited after the
            # year never loses it unseen: saving it is refused, with the message, until changed.
            current = self.initial.get("manual_status")
            if current in Status.values and Status(current) not in outcomes:
                outcomes.append(Status(current))
            field.choices = [("", _("Not set"))] + [(status.value, status.label) for status in outcomes]


class ApprovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        validators=[validate_no_personal_identity_number],
        help_text=_("Required when the tertial is already published: the public sees it with the corrected figures."),
    )


class UserSettingsForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly e-mail about missing entries"),
        required=False,
        help_text=_(
            "Once a week, the situation reports and meetings of your organisation that are still missing this "
            "week or month, with a link to log them."
        ),
    )
