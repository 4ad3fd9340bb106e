import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from promises.forms import DateInput
from promises.models import Activity, ActivityType, Area, Organisation
from promises.periods import TERTIAL_MONTHS

TERTIAL_CHOICES = [(1, _("T1 (January–April)")), (2, _("T2 (May–August)")), (3, _("T3 (September–December)"))]


class ActivityFilter(django_filters.FilterSet):
    activity_type = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=ActivityType.objects.all(), empty_label=_("All")
    )
    area = django_filters.ModelChoiceFilter(label=_("Area"), queryset=Area.objects.all(), empty_label=_("All"))
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("From date"), field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(label=_("To date"), field_name="date", lookup_expr="lte", widget=DateInput())
    tertial = django_filters.ChoiceFilter(
        label=_("Tertial"), choices=TERTIAL_CHOICES, method="filter_tertial", empty_label=_("All")
    )

    class Meta:
        model = Activity
        fields = ["activity_type", "area", "organisation", "date_from", "date_to", "tertial"]

    def __init__(self, *args, show_organisation: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_organisation:
            del self.filters["organisation"]
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "select")

    def filter_tertial(self, queryset, name, value):
        first, last = TERTIAL_MONTHS[int(value)]
        return queryset.filter(date__month__gte=first, date__month__lte=last)
