"""The write API: the police's and the municipality's systems report activities themselves.

`POST /api/v1/activities/` takes one entry (a JSON object) or a batch (an array of up to
10,000) for the organisation of the API token, checked by the same rules as the form and the
import (`activity_create_many`, and so `activity_check`): all of them are saved, or none, and
every mistake is answered with the entry's index, the field, a code and a Swedish message.
`GET` lists the organisation's own entries. Tokens are per organisation, created and revoked
by an administrator (djangorestframework-api-key keeps only their hash); each token has a
request rate of its own (DRF throttling). The open data (followup/api.py) stays anonymous.
"""

import functools
import hashlib
import json
import math
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler
from rest_framework_api_key.permissions import KeyParser

from promises.importing import names_load
from promises.models import ApiToken, User
from promises.selectors import activity_list_for_organisation
from promises.serializers import (
    MAX_ENTRIES,
    ActivityCreatedSerializer,
    ActivityInSerializer,
    ActivityOutSerializer,
    ApiErrorSerializer,
    EntriesErrorSerializer,
    EntryError,
    FilterError,
    entry_errors_from_rules,
    read_entry,
    read_filters,
)
from promises.services import (
    ApiWrite,
    IdempotencyKeyReused,
    activity_check_many,
    activity_create_by_api,
    api_replay,
    api_token_used,
)

TOKEN_MISSING = _("Send the API token in the Authorization header: “Authorization: Api-Key <key>”.")
TOKEN_INVALID = _("The API token is not valid. Ask an administrator for a new one.")
TOKEN_REVOKED = _("The API token has been revoked. Ask an administrator for a new one.")
TOKEN_EXPIRED = _("The API token expired on %(date)s. Ask an administrator for a new one.")
THROTTLED = _("Too many requests with this API token. Try again in %(seconds)s seconds.")
METHOD_NOT_ALLOWED = _("%(method)s is not allowed here; use GET or POST.")
SEND_JSON = _("Send the entries as JSON, with the header “Content-Type: application/json”.")
JSON_ONLY = _("The API answers in JSON only.")
NO_SUCH_ADDRESS = _("There is no such address in the API.")
NOT_ALLOWED = _("This API token may not do that.")
BODY_NOT_JSON = _("The body is not valid JSON (UTF-8).")
BODY_DUPLICATE_KEY = _("The field “%(field)s” appears twice in one object. Send each field once.")
BODY_EMPTY = _("The body is empty. Send one entry as a JSON object, or a batch as a JSON array of them.")
BODY_NOT_ENTRIES = _("Send one entry as a JSON object, or a batch as a JSON array of them.")
BODY_TOO_LARGE = _("The body is larger than %(megabytes)s MB. Split the batch.")
BATCH_EMPTY = _("The batch is empty: send at least one entry.")
BATCH_TOO_LARGE = _("At most %(max)s entries in one request; this one has %(count)s. Split the batch.")
IDEMPOTENCY_KEY_INVALID = _(
    "The Idempotency-Key must be 1 to 255 visible ASCII characters without spaces, such as a UUID."
)

_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def _swedish_thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


# --- Authentication, permission, throttling -----------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`, checked against the stored hash by
    djangorestframework-api-key; a revoked or expired token is refused with its reason."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request)
        if not key:
            return None
        token = (
            ApiToken.objects.select_related("organisation", "user__organisation")
            .filter(prefix=key.partition(".")[0])
            .first()
        )
        # A token whose account was moved to another organisation (in the user admin) would
        # write for one organisation and list another's entries: it is no longer valid.
        if token is None or not token.is_valid(key) or token.user.organisation_id != token.organisation_id:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid")
        if token.revoked:
            raise exceptions.AuthenticationFailed(TOKEN_REVOKED, code="token_revoked")
        if token.has_expired:
            assert token.expiry_date is not None, "only a token with an expiry date expires"
            expired = timezone.localtime(token.expiry_date).date().isoformat()
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED % {"date": expired}, code="token_expired")
        api_token_used(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class HasApiToken(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Each token has its own budget of requests (API_RATE_LIMIT, e.g. 120/minute)."""

    scope = "api_token"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a token an administrator creates for an organisation in the admin.",
        }


# --- Parsing and errors ------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class StrictJSONParser(JSONParser):
    """JSON as the standard has it: no NaN or Infinity, and no object naming a field twice
    (which would leave it to chance which value counts)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8-sig") if stream is not None else ""
            return json.loads(text, object_pairs_hook=_object_without_duplicates, parse_constant=_no_constant)
        except _DuplicateKey as exc:
            raise exceptions.ParseError(BODY_DUPLICATE_KEY % {"field": exc.key[:40]}, code="duplicate_key") from None
        except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise exceptions.ParseError(BODY_NOT_JSON, code="parse_error") from None


class ApiError(exceptions.APIException):
    """A refusal with a status, a code for machines and a Swedish message (and, for entries
    the rules refuse, every mistake)."""

    def __init__(self, status_code: int, code: str, detail, errors: list[EntryError] | None = None) -> None:
        super().__init__(detail=str(detail), code=code)
        self.status_code = status_code
        self.errors = [error.as_dict() for error in errors] if errors is not None else None


def _explained(exc, context) -> tuple[str, str]:
    """The code and the Swedish message of any refusal, DRF's own ones included."""
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated", str(TOKEN_MISSING)
    if isinstance(exc, exceptions.Throttled):
        return "throttled", str(THROTTLED % {"seconds": math.ceil(getattr(exc, "wait", None) or 1)})
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", str(METHOD_NOT_ALLOWED % {"method": context["request"].method})
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", str(SEND_JSON)
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable", str(JSON_ONLY)
    if isinstance(exc, exceptions.NotFound):
        return "not_found", str(NO_SUCH_ADDRESS)
    if isinstance(exc, exceptions.PermissionDenied):
        return "permission_denied", str(NOT_ALLOWED)
    codes = exc.get_codes()
    return (codes if isinstance(codes, str) else "invalid"), str(exc.detail)


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    code, detail = _explained(exc, context)
    body: dict = {"code": code, "detail": detail}
    if getattr(exc, "errors", None) is not None:
        body["errors"] = exc.errors
    response.data = body
    return response


class ActivityCursorPagination(CursorPagination):
    ordering = "-id"  # newest first; an id never changes, so a page never skips or repeats an entry
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise ApiError(
                400, "invalid_cursor", _("The cursor is not one this API gave. Start again from the first page.")
            ) from None


# --- The schema's descriptions ------------------------------------------------------------------------

ENTRY_EXAMPLE = {"activity_type": "fotpatrull", "area": "Råslätt", "date": "2022-03-01", "quantity": 2}
BATCH_EXAMPLE = [
    ENTRY_EXAMPLE,
    {"activity_type": "trafikkontroll", "area": "Öxnehaga", "date": "2022-03-01", "duration_minutes": 30},
    {"activity_type": "Upptäckt narkotikabrott", "area": "Råslätt", "date": "2022-03-02", "first_time_user": True},
]
REFUSED_EXAMPLE = {
    "code": "invalid_entries",
    "detail": "1 av 3 registreringar kan inte sparas. Inget sparades.",
    "errors": [
        {
            "index": 1,
            "field": "duration_minutes",
            "code": "too_short",
            "message": "En kontroll som är kortare än 20 minuter räknas inte mot medborgarlöftet och kan inte registreras.",
        }
    ],
}
ERROR = OpenApiResponse(ApiErrorSerializer, description="Refused: a code and a Swedish message.")
UNAUTHENTICATED = OpenApiResponse(
    ApiErrorSerializer,
    description="No token, or one that is unknown, revoked or expired (codes not_authenticated, token_invalid, "
    "token_revoked, token_expired).",
)
THROTTLED_RESPONSE = OpenApiResponse(
    ApiErrorSerializer, description="Too many requests with this token (code throttled); see Retry-After."
)
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID) for this batch. Sent again, the first result comes back "
    "(header Idempotent-Replayed: true) and nothing is saved twice; with another body it is refused (422).",
)
ActivityEntries = PolymorphicProxySerializer(
    component_name="ActivityEntries",
    serializers=[
        ActivityInSerializer,
        serializers.ListSerializer(child=ActivityInSerializer(), min_length=1, max_length=MAX_ENTRIES),  # type: ignore[list-item]  # drf-spectacular takes list serializers too; the stubs say Serializer
    ],
    resource_type_field_name=None,
    many=False,
)


def schema_entries_hook(result, generator, request, public):
    """drf-spectacular post-processing: what the schema cannot say through serializers: an
    entry takes no other fields, and a batch holds 1 to 10,000 entries."""
    schemas = result.get("components", {}).get("schemas", {})
    if "ActivityIn" in schemas:
        schemas["ActivityIn"]["additionalProperties"] = False
    for variant in schemas.get("ActivityEntries", {}).get("oneOf", []):
        if variant.get("type") == "array":
            variant.update({"minItems": 1, "maxItems": MAX_ENTRIES})
    return result


class ActivitiesView(GenericAPIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasApiToken]
    throttle_classes = [ApiTokenRateThrottle]
    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]
    pagination_class = ActivityCursorPagination
    serializer_class = ActivityOutSerializer

    def get_exception_handler(self):
        return api_exception_handler

    @extend_schema(
        summary="The organisation's entries",
        description="Every entry of the token's organisation, however it was logged, newest first, a page at a time "
        "(follow `next`). Filters: a date range, an activity (name or code) and an area (name).",
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (YYYY-MM-DD)."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to and including this day."),
            OpenApiParameter("activity_type", OpenApiTypes.STR, description="An activity's name or code."),
            OpenApiParameter("area", OpenApiTypes.STR, description="An area's name."),
        ],
        responses={200: ActivityOutSerializer(many=True), 400: ERROR, 401: UNAUTHENTICATED, 429: THROTTLED_RESPONSE},
    )
    def get(self, request):
        try:
            filters = read_filters(request.query_params, names=functools.cache(lambda: names_load(user=request.user)))
        except FilterError as exc:
            raise ApiError(400, exc.code, str(exc)) from None
        queryset = activity_list_for_organisation(
            organisation_id=request.auth.organisation_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
            activity_type=filters.activity_type,
            area=filters.area,
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Log entries",
        description=(
            "One entry (an object) or a batch (an array of at most 10,000) for the token's organisation, with "
            "the rules of the staff form and the import: an activity the organisation logs, an area it is "
            "followed up in, a date not in the future and not in a published tertial, the activity's own "
            "fields. All entries are saved, or none: a refusal lists every mistake with the entry's index "
            "(from 0), the field, a code and a Swedish message."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ActivityEntries,
        responses={
            201: OpenApiResponse(ActivityCreatedSerializer, description="Every entry was saved."),
            400: OpenApiResponse(
                EntriesErrorSerializer, description="Nothing was saved: the body or some entries are wrong."
            ),
            401: UNAUTHENTICATED,
            413: ERROR,
            415: ERROR,
            422: OpenApiResponse(
                ApiErrorSerializer, description="The Idempotency-Key was used before with another body."
            ),
            429: THROTTLED_RESPONSE,
        },
        examples=[
            OpenApiExample("One entry", value=ENTRY_EXAMPLE, request_only=True),
            OpenApiExample("A batch", value=BATCH_EXAMPLE, request_only=True),
            OpenApiExample(
                "Saved", value={"created": 3, "ids": [5012, 5013, 5014]}, response_only=True, status_codes=["201"]
            ),
            OpenApiExample("Refused", value=REFUSED_EXAMPLE, response_only=True, status_codes=["400"]),
        ],
    )
    def post(self, request):
        token = request.auth
        key = self._idempotency_key(request)
        entries, fingerprint = self._entries(request)
        try:
            if key is not None:
                replay = api_replay(token=token, key=key, fingerprint=fingerprint)
                if replay is not None:
                    return self._answer(replay)
            rows, errors = self._read(entries, user=token.user)
            if errors:
                raise self._refused(errors + self._rule_errors(token, rows, errors), total=len(entries))
            result, rule_errors = activity_create_by_api(
                token=token, rows=[data for _index, data in rows], idempotency_key=key, fingerprint=fingerprint
            )
        except IdempotencyKeyReused as exc:
            raise ApiError(422, "idempotency_key_reused", str(exc)) from None
        if result is None:
            found: list[EntryError] = []
            for index, error in sorted(rule_errors.items()):
                found.extend(entry_errors_from_rules(index, error, shape_errors=[]))
            raise self._refused(found, total=len(entries))
        return self._answer(result)

    def _idempotency_key(self, request) -> str | None:
        value = request.headers.get("Idempotency-Key")
        if value is None:
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':  # a structured-field string, as the IETF draft writes it
            value = value[1:-1]
        if not _IDEMPOTENCY_KEY.fullmatch(value):
            raise ApiError(400, "invalid_idempotency_key", IDEMPOTENCY_KEY_INVALID)
        return value

    def _entries(self, request) -> tuple[list, str]:
        """The entries of the body (one or a batch) and the body's fingerprint, or a refusal."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
            raise ApiError(413, "body_too_large", BODY_TOO_LARGE % {"megabytes": megabytes})
        if length == 0:
            raise ApiError(400, "empty_body", BODY_EMPTY)
        if not request.content_type:
            raise exceptions.UnsupportedMediaType("")
        body = request.data
        if isinstance(body, dict):
            entries = [body]
        elif isinstance(body, list):
            entries = body
        else:
            raise ApiError(400, "invalid_body", BODY_NOT_ENTRIES)
        if not entries:
            raise ApiError(400, "empty_batch", BATCH_EMPTY)
        if len(entries) > MAX_ENTRIES:
            raise ApiError(
                400,
                "too_many_entries",
                BATCH_TOO_LARGE % {"max": _swedish_thousands(MAX_ENTRIES), "count": _swedish_thousands(len(entries))},
            )
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return entries, hashlib.sha256(canonical.encode("ascii")).hexdigest()

    def _read(self, entries: list, *, user: User) -> tuple[list, list[EntryError]]:
        """Each entry's shape: (index, what it says) for the entries that can be checked, and
        every mistake of shape."""
        names = names_load(user=user)
        rows = []
        errors: list[EntryError] = []
        for index, entry in enumerate(entries):
            data, entry_errors = read_entry(entry, index=index, names=names)
            errors.extend(entry_errors)
            if data is not None:
                rows.append((index, data))
        return rows, errors

    def _rule_errors(self, token: ApiToken, rows: list, shape_errors: list[EntryError]) -> list[EntryError]:
        """With mistakes of shape nothing is saved, but the rules still check what could be
        read, so one answer names every mistake."""
        if not rows:
            return []
        found: list[EntryError] = []
        checked = activity_check_many(user=token.user, rows=[data for _index, data in rows])
        for position, exc in checked.items():
            found.extend(entry_errors_from_rules(rows[position][0], exc, shape_errors=shape_errors))
        return found

    def _refused(self, errors: list[EntryError], *, total: int) -> ApiError:
        errors.sort(key=lambda error: error.index)
        bad = len({error.index for error in errors})
        detail = ngettext(
            "%(bad)s of %(total)s entry cannot be saved. Nothing was saved.",
            "%(bad)s of %(total)s entries cannot be saved. Nothing was saved.",
            total,
        ) % {"bad": bad, "total": total}
        return ApiError(400, "invalid_entries", detail, errors=errors)

    def _answer(self, result: ApiWrite) -> Response:
        headers = {"Idempotent-Replayed": "true"} if result.replayed else None
        return Response(result.body, status=result.status, headers=headers)
