import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from promises import roles
from promises.models import Activity
from promises.periods import Tertial
from promises.selectors import activity_counted_by
from promises.services import (
    ACTIVITY_DATE_IN_FUTURE,
    ACTIVITY_DESCRIPTION_REQUIRED,
    ACTIVITY_QUANTITY_TOO_LARGE,
    ACTIVITY_QUANTITY_TOO_SMALL,
    ActivityData,
    activity_create,
    activity_delete,
    activity_update,
    tertial_lock,
)
from tests.factories import AreaFactory, PromiseFactory, UserFactory, World

pytestmark = pytest.mark.django_db


def _data(world: World, **overrides) -> ActivityData:
    values = {"activity_type": world.patrol, "area": world.raslatt, "date": world.today, "quantity": 1}
    values.update(overrides)
    return ActivityData(**values)


def _errors(world: World, user=None, **overrides) -> dict:
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=user or world.officer, data=_data(world, **overrides))
    assert Activity.objects.count() == 0
    return excinfo.value.message_dict


def test_activity_create_saves_for_the_users_organisation():
    world = World()
    activity = activity_create(user=world.officer, data=_data(world, quantity=3))
    activity.refresh_from_db()
    assert (activity.promise, activity.organisation, activity.created_by, activity.quantity) == (
        world.promise,
        world.police,
        world.officer,
        3,
    )
    assert activity.history.get().history_type == "+"


def test_activity_create_refuses_a_future_date():
    world = World()
    errors = _errors(world, date=world.today + timedelta(days=1))
    assert errors["date"] == [ACTIVITY_DATE_IN_FUTURE]


def test_activity_create_refuses_a_date_outside_every_active_promise():
    world = World()
    # A year back, by days: replace(year=…) has no 29 February to land on in most years.
    errors = _errors(world, date=world.today - timedelta(days=366))
    assert errors["date"][0].startswith("Inget aktivt medborgarlöfte")


def test_activity_create_refuses_a_draft_promise_year():
    world = World()
    world.promise.status = "draft"
    world.promise.save()
    assert _errors(world)["date"][0].startswith("Inget aktivt medborgarlöfte")


def test_activity_create_refuses_a_type_the_organisation_may_not_log():
    world = World()
    errors = _errors(world, user=world.clerk, activity_type=world.patrol)
    assert errors["activity_type"] == ["Jönköpings kommun registrerar inte ”Fotpatrullering”."]


def test_activity_create_accepts_an_area_no_target_of_the_type_uses_and_counts_it_nowhere():
    """Patrols in Huskvarna happened: stored, but no target of the promise counts them."""
    world = World()
    huskvarna = AreaFactory(name="Huskvarna", slug="huskvarna")
    activity = activity_create(user=world.officer, data=_data(world, area=huskvarna, quantity=3))
    assert activity.area == huskvarna
    assert activity.promise == world.promise
    assert activity_counted_by(activity=activity) == []
    assert activity_counted_by(activity=activity_create(user=world.officer, data=_data(world))) == [world.patrol_target]


def test_activity_create_refuses_an_area_of_a_municipality_without_an_active_promise():
    world = World()
    elsewhere = AreaFactory(municipality="Vaggeryd", name="Skillingaryd", slug="skillingaryd")
    assert _errors(world, area=elsewhere)["date"][0].startswith("Inget aktivt medborgarlöfte")


def test_activity_create_type_without_target_may_use_every_area_and_the_whole_municipality():
    world = World()
    for area in (world.raslatt, world.oxnehaga, world.whole):
        activity_create(user=world.officer, data=_data(world, activity_type=world.measure, area=area, description="x"))
    assert Activity.objects.count() == 3


@pytest.mark.parametrize("quantity", [0, -1, 21])
def test_activity_create_refuses_zero_negative_and_absurd_quantities(quantity):
    world = World()
    expected = ACTIVITY_QUANTITY_TOO_SMALL if quantity < 1 else ACTIVITY_QUANTITY_TOO_LARGE % {"max": 20}
    assert _errors(world, quantity=quantity)["quantity"] == [expected]


def test_activity_create_drug_offence_requires_the_first_time_answer():
    world = World()
    errors = _errors(world, activity_type=world.drugs, first_time_user=None)
    assert errors["first_time_user"] == ["Ange om det gällde en förstagångsanvändare."]
    activity = activity_create(user=world.officer, data=_data(world, activity_type=world.drugs, first_time_user=False))
    assert activity.first_time_user is False


def test_activity_create_refuses_a_traffic_control_under_20_minutes():
    world = World()
    errors = _errors(world, activity_type=world.traffic, duration_minutes=19)
    assert "kortare än 20 minuter räknas inte" in errors["duration_minutes"][0]
    activity = activity_create(user=world.officer, data=_data(world, activity_type=world.traffic, duration_minutes=20))
    assert activity.duration_minutes == 20


def test_activity_create_measure_requires_a_description():
    world = World()
    errors = _errors(world, activity_type=world.measure, description="  ")
    assert errors["description"] == [ACTIVITY_DESCRIPTION_REQUIRED % {"type": "åtgärd"}]
    assert errors["description"] == ["Skriv en beskrivning, den behövs för åtgärd."]


@pytest.mark.parametrize("field", ["note", "description"])
def test_activity_create_refuses_a_personal_identity_number_in_free_text(field):
    world = World()
    overrides = {"activity_type": world.measure, "description": "Belysning", field: "Gäller 19811218-9876"}
    errors = _errors(world, **overrides)
    assert errors[field] == [
        "Det här ser ut som ett personnummer. Spara inga uppgifter som kan identifiera en person: ta bort numret."
    ]


def test_activity_create_drops_answers_the_type_does_not_ask():
    world = World()
    activity = activity_create(user=world.officer, data=_data(world, first_time_user=True, duration_minutes=40))
    assert (activity.first_time_user, activity.duration_minutes) == (None, None)


def test_activity_create_same_submission_key_twice_creates_one_entry():
    world = World()
    key = uuid.uuid4()
    first = activity_create(user=world.officer, data=_data(world), submission_key=key)
    second = activity_create(user=world.officer, data=_data(world), submission_key=key)
    assert first.pk == second.pk
    assert Activity.objects.count() == 1


def test_activity_create_with_another_users_submission_key_is_refused_in_words():
    world = World()
    key = uuid.uuid4()
    activity_create(user=world.officer, data=_data(world), submission_key=key)
    other = UserFactory(organisation=world.police, role=roles.POLICE_STAFF)
    with pytest.raises(ValidationError, match="Formuläret har redan skickats"):
        activity_create(user=other, data=_data(world), submission_key=key)
    assert Activity.objects.filter(submission_key=key).count() == 1


def test_activity_create_same_submission_key_after_the_rules_changed_returns_the_first_entry():
    # The form posted again (the back button) after its tertial was published meanwhile.
    world = World()
    key = uuid.uuid4()
    first = activity_create(user=world.officer, data=_data(world), submission_key=key)
    tertial_lock(promise=world.promise, tertial=Tertial.of(world.today).number)
    with pytest.raises(ValidationError):  # a new entry is refused
        activity_create(user=world.officer, data=_data(world), submission_key=uuid.uuid4())
    second = activity_create(user=world.officer, data=_data(world), submission_key=key)
    assert second.pk == first.pk
    assert Activity.objects.count() == 1


def test_activity_create_in_a_published_tertial_is_for_managers_only():
    world = World()
    tertial_lock(promise=world.promise, tertial=Tertial.of(world.today).number)
    errors = _errors(world)
    assert "har publicerats" in errors["date"][0]
    activity = activity_create(user=world.manager, data=_data(world))
    assert activity.history.get().history_user == world.manager


def test_activity_update_records_before_and_after():
    world = World()
    activity = activity_create(user=world.officer, data=_data(world, quantity=1))
    activity_update(activity=activity, user=world.officer, data=_data(world, quantity=4))
    activity.refresh_from_db()
    assert activity.quantity == 4
    assert list(activity.history.order_by("history_date").values_list("quantity", flat=True)) == [1, 4]


def test_activity_update_and_delete_refused_in_a_published_tertial_for_staff():
    world = World()
    activity = activity_create(user=world.officer, data=_data(world))
    tertial_lock(promise=world.promise, tertial=Tertial.of(world.today).number)
    with pytest.raises(ValidationError):
        activity_update(activity=activity, user=world.officer, data=_data(world, quantity=5))
    with pytest.raises(ValidationError):
        activity_delete(activity=activity, user=world.officer)
    activity.refresh_from_db()
    assert activity.quantity == 1
    pk = activity.pk
    activity_delete(activity=activity, user=world.manager)
    assert not Activity.objects.exists()
    deletion = Activity.history.filter(id=pk).order_by("-history_date").first()
    assert (deletion.history_type, deletion.history_user) == ("-", world.manager)


def test_activity_create_other_municipality_promise_does_not_cover_it():
    world = World()
    PromiseFactory(municipality="Växjö", year=world.year)
    activity = activity_create(user=world.officer, data=_data(world))
    assert activity.promise == world.promise


def test_activity_create_refuses_a_duration_longer_than_a_day():
    """A mistyped duration (minutes as seconds, a stray zero) never reaches the figures, nor
    overflows the database's integer."""
    world = World()
    errors = _errors(world, activity_type=world.traffic, duration_minutes=10**12)
    assert errors["duration_minutes"] == ["Högst 1440 minuter i en registrering. Kontrollera siffran."]
    assert activity_create(user=world.officer, data=_data(world, activity_type=world.traffic, duration_minutes=1440))


@pytest.mark.parametrize("field", ["note", "description"])
def test_activity_create_refuses_a_nul_character_which_no_database_text_holds(field):
    world = World()
    errors = _errors(world, **{"activity_type": world.measure, "description": "Belysning", field: "a\x00b"})
    assert errors[field] == ["Texten innehåller ett NUL-tecken, som inte kan sparas. Ta bort det."]


def test_activity_check_gives_every_refusal_a_code():
    """The API's error bodies carry a code for machines beside the message."""
    from promises.selectors import ActivityContext
    from promises.services import activity_check

    world = World()
    data = _data(world, activity_type=world.traffic, quantity=0, duration_minutes=5, note="19811218-9876")
    with pytest.raises(ValidationError) as excinfo:
        activity_check(data=data, organisation=world.police, user=world.officer, context=ActivityContext.load())
    codes = {field: [error.code for error in errors] for field, errors in excinfo.value.error_dict.items()}
    assert codes == {
        "quantity": ["too_small"],
        "duration_minutes": ["too_short"],
        "note": ["personal_identity_number"],
    }
