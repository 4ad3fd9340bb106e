"""The open-data API: published figures only, read-only, as JSON or CSV.

Everything comes from publication snapshots through followup.public, the same functions the
public page uses, so the API can never show more than the page: no draft, no unpublished
tertial, no single activity, and small sensitive numbers withheld.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from followup.models import Publication, TertialNumber
from followup.public import published_tertials
from followup.published import published_target_api_fields
from medborgarlofte import exports
from promises.models import Municipality, Promise

# --- CSV ----------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """Flat rows for spreadsheets: a follow-up's targets, or the list of promises.

    In the one Swedish Excel dialect of medborgarlofte.exports (';', BOM, decimal comma, ja/nej);
    nested values are left out.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "targets" in data:
            rows = data["targets"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        if not rows:
            return exports.csv_bytes([], [])
        columns = [key for key, value in rows[0].items() if not isinstance(value, dict | list)]
        return exports.csv_bytes(columns, ([row.get(column) for column in columns] for row in rows))


# --- Serializers (they describe the snapshot dicts for the OpenAPI schema) ---------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, in Swedish.")


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such (published) promise or tertial.")
CSV = OpenApiResponse(OpenApiTypes.STR, description="The same rows as CSV (UTF-8 with BOM, ';').")


class CorrectionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    reason = serializers.CharField()


# Built from the one type of a published target, so no key of the snapshot goes missing here.
PublishedTargetSerializer = type("PublishedTargetSerializer", (serializers.Serializer,), published_target_api_fields())


class FollowupSummarySerializer(serializers.Serializer):
    tertial = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: the serializer metaclass takes it
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    first_published_at = serializers.DateTimeField()
    corrected = serializers.BooleanField()
    url = serializers.CharField()


class FollowupSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    municipality = serializers.CharField()
    municipality_code = serializers.CharField(help_text="The municipality's code (kommunkod), e.g. 0680.")
    title = serializers.CharField()
    tertial = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: the serializer metaclass takes it
    as_of = serializers.DateField()
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    first_published_at = serializers.DateTimeField()
    corrections = CorrectionSerializer(many=True)
    targets = PublishedTargetSerializer(many=True)


class PromiseSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    municipality = serializers.CharField()
    municipality_code = serializers.CharField(help_text="The municipality's code (kommunkod), e.g. 0680.")
    title = serializers.CharField()
    status = serializers.CharField()
    published_tertials = serializers.ListField(child=serializers.IntegerField())
    url = serializers.CharField()


class SignatorySerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    organisation = serializers.CharField()


class PromiseSerializer(PromiseSummarySerializer):
    general_commitment = serializers.CharField()
    parties = serializers.ListField(child=serializers.CharField())
    signatories = SignatorySerializer(many=True)
    signed_on = serializers.DateField(allow_null=True)
    followups = FollowupSummarySerializer(many=True)


# --- Views ---------------------------------------------------------------------------------

MUNICIPALITY = OpenApiParameter(
    "municipality",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The municipality's code (kommunkod, e.g. 0680) or the slug of its public address (e.g. jonkoping).",
)
YEAR = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description="The promise's year, e.g. 2022.")
TERTIAL = OpenApiParameter(
    "tertial", OpenApiTypes.INT, OpenApiParameter.PATH, enum=[1, 2, 3], description="1 Jan–Apr, 2 May–Aug, 3 Sep–Dec."
)


def _public_promises():
    return Promise.objects.public().select_related("municipality").order_by("-year", "municipality__name")


def _municipality(value: str) -> Municipality:
    """By code (0680) or by slug (jonkoping)."""
    # The path converter lets through only a slug's characters (no NUL, no other digits than 0–9).
    found = Municipality.objects.filter(**({"code": value} if value.isdigit() else {"slug": value})).first()
    if found is None:
        raise NotFound(_("There is no municipality with the code or address %(value)s.") % {"value": value[:100]})
    return found


def _promise_of_year(municipality: str, year: int) -> Promise:
    place = _municipality(municipality)
    promise = _public_promises().filter(municipality=place, year=year).first()
    if promise is None:
        raise NotFound(
            _("%(municipality)s has no citizen promise for %(year)s.") % {"municipality": place.name, "year": year}
        )
    return promise


def _summary(request, promise: Promise, tertials: list[int]) -> dict:
    return {
        "year": promise.year,
        "municipality": promise.municipality.name,
        "municipality_code": promise.municipality.code,
        "title": promise.title,
        "status": promise.status,
        "published_tertials": tertials,
        "url": request.build_absolute_uri(reverse("api:promise", args=[promise.municipality.code, promise.year])),
    }


def _published_numbers(promises) -> dict[int, list[int]]:
    """Each promise's published tertials, in one query."""
    numbers: dict[int, list[int]] = {}
    # No ordering: Publication's own (by version) would make each version a distinct row.
    rows = Publication.objects.filter(promise__in=promises).order_by().values_list("promise_id", "tertial").distinct()
    for promise_id, tertial in sorted(rows):
        numbers.setdefault(promise_id, []).append(tertial)
    return numbers


class OpenDataView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [JSONRenderer, CSVRenderer]

    def handle_exception(self, exc):
        # Errors are always JSON ({"detail": ...}), even when CSV was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


@extend_schema(
    summary="Citizen promises",
    description="Every municipality's citizen promises that are not drafts, newest first, with their published "
    "tertials.",
    parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], required=False)],
    responses={(200, "application/json"): PromiseSummarySerializer(many=True), (200, "text/csv"): CSV},
)
class PromiseListView(OpenDataView):
    def get(self, request):
        promises = list(_public_promises())
        numbers = _published_numbers(promises)
        return Response([_summary(request, promise, numbers.get(promise.pk, [])) for promise in promises])


@extend_schema(
    summary="A municipality's citizen promises",
    description="The municipality's citizen promises that are not drafts, newest first, with their published tertials.",
    parameters=[MUNICIPALITY, OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], required=False)],
    responses={
        (200, "application/json"): PromiseSummarySerializer(many=True),
        (200, "text/csv"): CSV,
        (404, "application/json"): NOT_FOUND,
    },
)
class MunicipalityPromiseListView(OpenDataView):
    def get(self, request, municipality: str):
        promises = list(_public_promises().filter(municipality=_municipality(municipality)))
        numbers = _published_numbers(promises)
        return Response([_summary(request, promise, numbers.get(promise.pk, [])) for promise in promises])


@extend_schema(
    summary="One citizen promise",
    description="A municipality's promise of a year: who promised, what, and its published follow-ups.",
    parameters=[MUNICIPALITY, YEAR],
    responses={200: PromiseSerializer, 404: NOT_FOUND},
)
class PromiseDetailView(OpenDataView):
    renderer_classes = [JSONRenderer]

    def get(self, request, municipality: str, year: int):
        promise = _promise_of_year(municipality, year)
        tertials = published_tertials(promise=promise)
        data = _summary(request, promise, [t.tertial for t in tertials])
        data.update(
            {
                "general_commitment": promise.general_commitment,
                "parties": [party.name for party in promise.parties.all()],
                "signatories": [
                    {"name": s.name, "role": s.role, "organisation": s.organisation.name}
                    for s in promise.signatories.select_related("organisation")
                ],
                "signed_on": promise.signed_on,
                "followups": [
                    {
                        "tertial": t.tertial,
                        "label": t.label,
                        "version": t.version,
                        "published_at": t.published_at,
                        "first_published_at": t.first_published_at,
                        "corrected": bool(t.corrections),
                        "url": request.build_absolute_uri(
                            reverse("api:followup", args=[promise.municipality.code, promise.year, t.tertial])
                        ),
                    }
                    for t in tertials
                ],
            }
        )
        return Response(PromiseSerializer(data).data)


@extend_schema(
    summary="A published tertial follow-up",
    description=(
        "The latest published version of a tertial: every target's figures, status and comment, "
        "with the dates of publication and of any corrections. Add ?format=csv for a spreadsheet."
    ),
    parameters=[
        MUNICIPALITY,
        YEAR,
        TERTIAL,
        OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], required=False),
    ],
    responses={
        (200, "application/json"): FollowupSerializer,
        (200, "text/csv"): CSV,
        (404, "application/json"): NOT_FOUND,
    },
)
class FollowupView(OpenDataView):
    def get(self, request, municipality: str, year: int, tertial: int):
        if tertial not in TertialNumber.values:
            raise NotFound(_("A year has tertials 1, 2 and 3."))
        promise = _promise_of_year(municipality, year)
        published = next((t for t in published_tertials(promise=promise) if t.tertial == tertial), None)
        if published is None:
            raise NotFound(
                _("Tertial %(tertial)s of %(year)s has not been published.") % {"tertial": tertial, "year": year}
            )
        data = {
            "year": promise.year,
            "municipality": promise.municipality.name,
            "municipality_code": promise.municipality.code,
            "title": promise.title,
            "tertial": published.tertial,
            "label": published.label,
            "as_of": published.as_of,
            "version": published.version,
            "published_at": published.published_at,
            "first_published_at": published.first_published_at,
            "corrections": published.corrections,
            "targets": published.targets,
        }
        return Response(FollowupSerializer(data).data)


@extend_schema(exclude=True)
class NotFoundView(OpenDataView):
    """Any other address under the API answers in JSON, like the API itself."""

    renderer_classes = [JSONRenderer]

    def get(self, request, *args, **kwargs):
        raise NotFound(_("There is no such address in the open-data API."))
