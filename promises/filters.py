import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from promises.forms import DateInput
from promises.models import Activity, ActivityType, Area, Organisation, Promise, User
from promises.names import with_municipality
from promises.periods import TERTIAL_MONTHS
from promises.selectors import activity_types_for_user, promises_for_user

TERTIAL_CHOICES = [(1, _("T1 (January–April)")), (2, _("T2 (May–August)")), (3, _("T3 (September–December)"))]


class _AreaIterator(ModelChoiceIterator):
    """The areas, each with its municipality when they are of more than one ("Hela kommunen
    (Habo)"), as the logging form names them; one query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        areas = list(self.queryset)
        several = len({area.municipality_id for area in areas}) > 1
        for area in areas:
            label = with_municipality(area.name, area.municipality.name) if several else area.name
            yield (ModelChoiceIteratorValue(area.pk, area), label)


class _AreaChoiceField(forms.ModelChoiceField):
    iterator = _AreaIterator


class _AreaFilter(django_filters.ModelChoiceFilter):
    field_class = _AreaChoiceField


class ActivityFilter(django_filters.FilterSet):
    activity_type = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=ActivityType.objects.all(), empty_label=_("All")
    )
    area = _AreaFilter(label=_("Area"), queryset=Area.objects.all(), empty_label=_("All"))
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("From date"), field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(label=_("To date"), field_name="date", lookup_expr="lte", widget=DateInput())
    # A tertial is of a year: "T1" alone gathered every year's January–April.
    year = django_filters.ChoiceFilter(label=_("Year"), choices=[], method="filter_year", empty_label=_("All"))
    tertial = django_filters.ChoiceFilter(
        label=_("Tertial"), choices=TERTIAL_CHOICES, method="filter_tertial", empty_label=_("All")
    )

    class Meta:
        model = Activity
        fields = ["activity_type", "area", "organisation", "date_from", "date_to", "year", "tertial"]

    def __init__(self, *args, user: User, show_organisation: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the user works with: one installation holds every municipality's areas
        # and organisations, and a staff member's list shows their own entries' types.
        own = promises_for_user(user=user)
        areas = self.filters["area"]
        areas.queryset = (
            Area.objects.filter(municipality__promises__in=own)
            .select_related("municipality")
            .distinct()
            .order_by("name", "municipality__name")
        )
        if not show_organisation:
            del self.filters["organisation"]
            self.filters["activity_type"].queryset = activity_types_for_user(user=user)
        else:
            self.filters["organisation"].queryset = Organisation.objects.filter(
                Q(promises__in=own) | Q(pk=user.organisation_id)
            ).distinct()
        years = own.exclude(status=Promise.Status.DRAFT).order_by("-year").values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "select")

    def filter_year(self, queryset, name, value):
        return queryset.filter(date__year=int(value))

    def filter_tertial(self, queryset, name, value):
        first, last = TERTIAL_MONTHS[int(value)]
        return queryset.filter(date__month__gte=first, date__month__lte=last)
