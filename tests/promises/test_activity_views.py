import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from promises.models import Activity, Area
from promises.services import ActivityData, activity_create
from tests.factories import ActivityFactory, AreaFactory, UserFactory, World

pytestmark = pytest.mark.django_db


def _post(world: World, **overrides) -> dict:
    data = {
        "area": world.raslatt.pk,
        "date": world.today.isoformat(),
        "quantity": "2",
        "note": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def _log(world: World, user=None, **overrides) -> Activity:
    return activity_create(
        user=user or world.officer,
        data=ActivityData(
            activity_type=world.patrol, area=world.raslatt, date=world.today, quantity=overrides.pop("quantity", 1)
        ),
    )


# --- Logging form -------------------------------------------------------------------------


def test_activity_log_staff_saves_and_sees_a_confirmation(client):
    world = World()
    client.force_login(world.officer)
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world), follow=True)
    activity = Activity.objects.get()
    assert (activity.quantity, activity.area, activity.created_by) == (2, world.raslatt, world.officer)
    body = response.content.decode()
    assert "Sparat: Fotpatrullering, Råslätt" in body
    again = reverse("activity_log", args=["fotpatrull"]) + f"?omrade={world.raslatt.pk}"
    assert again in body.replace("&amp;", "&")


def test_activity_log_another_of_the_same_kind_keeps_type_and_area(client):
    world = World()
    client.force_login(world.officer)
    response = client.get(reverse("activity_log", args=["fotpatrull"]) + f"?omrade={world.raslatt.pk}")
    assert response.context["form"]["area"].value() == world.raslatt.pk
    assert response.context["activity_type"] == world.patrol


def test_activity_log_form_shows_only_the_types_own_fields(client):
    world = World()
    client.force_login(world.officer)
    fields = set(client.get(reverse("activity_log", args=["narkotikabrott"])).context["form"].fields)
    assert fields == {"area", "date", "quantity", "first_time_user", "note", "submission_key"}
    fields = set(client.get(reverse("activity_log", args=["trafikkontroll"])).context["form"].fields)
    assert fields == {"area", "date", "quantity", "duration_minutes", "note", "submission_key"}


def test_activity_log_area_choices_list_the_counted_areas_first_and_the_others_after(client):
    world = World(year=2022)
    AreaFactory(name="Huskvarna", slug="huskvarna")
    client.force_login(world.officer)
    response = client.get(reverse("activity_log", args=["trafikkontroll"]))
    choices = response.context["form"].fields["area"].choices
    assert choices[1:] == [
        ("Räknas mot medborgarlöftet", [(world.raslatt.pk, "Råslätt"), (world.oxnehaga.pk, "Öxnehaga")]),
        (
            "Räknas inte mot något mål i 2022 års löfte",
            [(Area.objects.get(name="Huskvarna").pk, "Huskvarna"), (world.whole.pk, "Hela kommunen")],
        ),
    ]
    assert '<optgroup label="Räknas mot medborgarlöftet">' in response.content.decode()


def test_activity_log_area_choices_of_a_type_no_target_counts_are_one_plain_list(client):
    world = World()
    client.force_login(world.officer)
    choices = client.get(reverse("activity_log", args=["atgard"])).context["form"].fields["area"].choices
    assert [label for _value, label in choices[1:]] == ["Råslätt", "Öxnehaga", "Hela kommunen"]


def test_activity_log_default_date_is_today_and_quantity_one(client):
    world = World()
    client.force_login(world.officer)
    form = client.get(reverse("activity_log", args=["fotpatrull"])).context["form"]
    assert (form["date"].value(), form["quantity"].value()) == (world.today, 1)
    assert 'type="date"' in str(form["date"])


def test_activity_log_first_time_user_has_no_default_and_is_required(client):
    world = World()
    client.force_login(world.officer)
    response = client.post(reverse("activity_log", args=["narkotikabrott"]), _post(world, quantity="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["first_time_user"] == ["Ange om det gällde en förstagångsanvändare."]
    assert not Activity.objects.exists()
    assert "checked" not in str(response.context["form"]["first_time_user"])


def test_activity_log_short_traffic_control_is_refused_and_input_kept(client):
    world = World()
    client.force_login(world.officer)
    response = client.post(
        reverse("activity_log", args=["trafikkontroll"]), _post(world, duration_minutes="15", note="Vid skolan")
    )
    body = response.content.decode()
    assert "räknas inte mot medborgarlöftet" in body
    assert 'id="id_duration_minutes_error"' in body
    assert 'aria-describedby="id_duration_minutes_helptext id_duration_minutes_error"' in body
    assert "Vid skolan" in body
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "Antalet måste vara minst 1."),
        ({"quantity": "-3"}, "quantity", "Antalet måste vara minst 1."),
        ({"quantity": "500"}, "quantity", "Högst 20 i en registrering."),
        ({"quantity": "två"}, "quantity", "Fyll i ett heltal."),
        ({"date": "2999-01-01"}, "date", "Datumet ligger i framtiden."),
        ({"date": "31/12"}, "date", "Fyll i ett giltigt datum."),
        ({"note": "Person 811218-9876"}, "note", "Det här ser ut som ett personnummer."),
        ({"area": "999999"}, "area", "Välj ett giltigt alternativ."),
    ],
)
def test_activity_log_bad_input_is_refused_next_to_its_field(client, overrides, field, message):
    world = World()
    client.force_login(world.officer)
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_activity_log_date_of_next_year_gets_one_message_not_two(client):
    # Next year has no promise yet either; "in the future" says all the user needs.
    world = World()
    client.force_login(world.officer)
    next_year = world.today.replace(year=world.today.year + 1, month=1, day=5).isoformat()
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world, date=next_year))
    assert [str(m) for m in response.context["form"].errors["date"]] == [
        "Datumet ligger i framtiden. Registrera det som har gjorts, på den dag det gjordes."
    ]


def test_activity_log_area_the_type_does_not_count_in_is_saved_and_the_confirmation_says_so(client):
    world = World()
    client.force_login(world.officer)
    response = client.post(
        reverse("activity_log", args=["fotpatrull"]), _post(world, area=world.oxnehaga.pk), follow=True
    )
    assert Activity.objects.get().area == world.oxnehaga
    assert (
        f"Den räknas inte mot något mål i {world.year} års löfte i Öxnehaga. Den sparas ändå."
        in response.content.decode()
    )


def test_activity_saved_names_the_target_the_entry_counts_toward(client):
    world = World()
    client.force_login(world.officer)
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world), follow=True)
    content = response.content.decode()
    assert "Den räknas mot medborgarlöftet, i det här målet:" in content
    assert world.patrol_target.title in content


def test_activity_saved_says_when_its_week_already_had_a_situation_report(client):
    world = World()
    world.log(world.report, 1, world.today)
    client.force_login(world.clerk)
    response = client.post(reverse("activity_log", args=["lagesbild"]), _post(world, quantity="1"), follow=True)
    assert Activity.objects.filter(activity_type=world.report).count() == 2
    week = world.today.isocalendar()[1]
    assert (
        f"Det fanns redan en registrering av Lägesbild i Råslätt för v. {week}: perioden var redan täckt. "
        "Ett mål som vill ha en varje vecka eller månad räknar varje period en gång."
    ) in response.content.decode()


def test_activity_saved_first_situation_report_of_its_week_says_nothing_of_the_kind(client):
    world = World()
    world.log(world.report, 1, world.today, area=world.oxnehaga)  # another area's week is its own
    world.log(world.patrol, 1, world.today)  # another type too
    client.force_login(world.clerk)
    response = client.post(reverse("activity_log", args=["lagesbild"]), _post(world, quantity="1"), follow=True)
    assert "Sparat: Lägesbild, Råslätt" in response.content.decode()
    assert "Det fanns redan" not in response.content.decode()


def test_activity_log_date_before_the_promise_year_is_refused(client):
    world = World()
    client.force_login(world.officer)
    last_year = (world.today - timedelta(days=400)).isoformat()
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world, date=last_year))
    assert response.context["form"].errors["date"][0].startswith("Inget aktivt medborgarlöfte")


def test_activity_log_double_submit_creates_one_entry(client):
    world = World()
    client.force_login(world.officer)
    data = _post(world)
    first = client.post(reverse("activity_log", args=["fotpatrull"]), data)
    second = client.post(reverse("activity_log", args=["fotpatrull"]), data)
    assert Activity.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_activity_log_type_of_another_organisation_is_refused(client):
    world = World()
    client.force_login(world.clerk)
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world))
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_activity_log_unknown_type_is_404(client):
    world = World()
    client.force_login(world.officer)
    assert client.get(reverse("activity_log", args=["finns-inte"])).status_code == 404


def test_activity_log_user_without_organisation_or_role_is_refused(client):
    World()
    client.force_login(UserFactory(organisation=None))
    assert client.get(reverse("activity_log", args=["fotpatrull"])).status_code == 403
    assert client.post(reverse("activity_log", args=["fotpatrull"]), {}).status_code == 403
    assert not Activity.objects.exists()


def test_activity_log_manager_may_log_for_own_organisation(client):
    world = World()
    client.force_login(world.manager)
    assert client.get(reverse("activity_log", args=["fotpatrull"])).status_code == 200
    response = client.post(reverse("activity_log", args=["fotpatrull"]), _post(world))
    assert response.status_code == 302
    assert Activity.objects.get().created_by == world.manager


def test_activity_log_anonymous_is_sent_to_login(client):
    World()
    response = client.get(reverse("activity_log", args=["fotpatrull"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


class ActivityFormFuzzTest(HypothesisTestCase):
    """Whatever a browser sends, the form answers with a page, never a 500."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                name: st.one_of(st.text(max_size=30), st.integers(-(10**6), 10**6).map(str))
                for name in [
                    "area",
                    "date",
                    "quantity",
                    "first_time_user",
                    "duration_minutes",
                    "note",
                    "submission_key",
                ]
            },
        ),
        code=st.sampled_from(["fotpatrull", "trafikkontroll", "narkotikabrott", "atgard"]),
    )
    def test_activity_log_any_input_never_gives_a_500(self, data, code):
        world = World()
        self.client.force_login(world.officer)
        data = {k: v.replace("\x00", "") for k, v in data.items()}
        response = self.client.post(reverse("activity_log", args=[code]), data)
        assert response.status_code in (200, 302)


# --- The list -----------------------------------------------------------------------------


def test_activity_list_staff_see_only_their_own(client):
    world = World()
    mine = _log(world)
    _log(world, user=world.colleague)
    client.force_login(world.officer)
    response = client.get(reverse("activity_list"))
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [mine.pk]
    assert "<caption>Mina registreringar</caption>" in response.content.decode()


def test_activity_list_manager_sees_every_entry(client):
    world = World()
    _log(world)
    _log(world, user=world.colleague)
    client.force_login(world.manager)
    response = client.get(reverse("activity_list"))
    assert len(response.context["table"].paginated_rows) == 2


def test_activity_list_marks_the_fields_an_entry_does_not_have(client):
    # A phone's card leaves those out (site.css); "Nej" is an answer, not an empty field.
    world = World()
    world.log(world.patrol, 1, world.today)
    ActivityFactory(
        promise=world.promise,
        activity_type=world.drugs,
        area=world.raslatt,
        date=world.today,
        first_time_user=False,
        created_by=world.officer,
    )
    client.force_login(world.manager)
    body = client.get(reverse("activity_list")).content.decode()
    assert body.count('class="col-first_time_user" data-label="Förstagångsanvändare" data-empty="true">—<') == 1
    answered = 'class="col-first_time_user" data-label="Förstagångsanvändare" data-empty="false">'
    assert body.count(answered) == 1
    assert "Nej</span></td>" in body[body.index(answered) :]
    assert 'data-label="Datum" data-empty' not in body  # every entry has a date


def test_activity_list_filters_by_type_and_date(client):
    world = World()
    _log(world)
    activity_create(
        user=world.officer,
        data=ActivityData(activity_type=world.drugs, area=world.raslatt, date=world.today, first_time_user=True),
    )
    client.force_login(world.officer)
    response = client.get(reverse("activity_list"), {"activity_type": world.drugs.pk, "date_from": world.today})
    assert [row.record.activity_type for row in response.context["table"].paginated_rows] == [world.drugs]


def test_activity_list_filters_a_tertial_of_one_year(client):
    # "T1" alone gathered every year's January–April.
    world, earlier = World(year=2022), World(year=2021)
    world.log(world.patrol, 1, date(2022, 2, 1))
    earlier.log(earlier.patrol, 1, date(2021, 2, 1))
    client.force_login(world.manager)
    response = client.get(reverse("activity_list"), {"year": "2022", "tertial": "1"})
    assert [a.date for a in response.context["table"].data.data] == [date(2022, 2, 1)]
    year = response.context["filter"].form.fields["year"]
    assert [label for _value, label in year.choices] == ["Alla", "2022", "2021"]
    bad = client.get(reverse("activity_list"), {"year": "1999"})
    assert bad.status_code == 200
    assert "Välj ett giltigt alternativ" in bad.content.decode()


def test_activity_list_bad_filter_value_gives_a_message_not_a_500(client):
    world = World()
    client.force_login(world.officer)
    response = client.get(reverse("activity_list"), {"date_from": "igår", "tertial": "9", "activity_type": "x"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_activity_list_sorted_column_has_aria_sort(client):
    world = World()
    _log(world)
    client.force_login(world.officer)
    body = client.get(reverse("activity_list"), {"sort": "quantity"}).content.decode()
    assert 'aria-sort="ascending"' in body


def test_activity_list_exports_csv_and_xlsx(client):
    world = World()
    _log(world, quantity=3)
    client.force_login(world.officer)
    csv_response = client.get(reverse("activity_list"), {"_export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    lines = csv_response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("Datum;Aktivitet;Område;Antal")
    assert ";Fotpatrullering;Råslätt;3;" in lines[1]
    xlsx_response = client.get(reverse("activity_list"), {"_export": "xlsx"})
    assert xlsx_response.content[:2] == b"PK"


@pytest.mark.parametrize("entries", [1, 50])
def test_activity_list_query_count_does_not_grow(client, django_assert_num_queries, entries):
    world = World()
    for _ in range(entries):
        _log(world)
    client.force_login(world.officer)
    # Two of them say which entries can no longer be changed (activity_locks), one lists the
    # years to filter by.
    with django_assert_num_queries(13):
        response = client.get(reverse("activity_list"))
    table = response.context["table"]
    assert table.paginator.count == entries
    assert len(table.page.object_list) == min(entries, table.paginator.per_page)


def test_activity_list_anonymous_is_sent_to_login(client):
    assert client.get(reverse("activity_list")).status_code == 302


# --- Corrections and history --------------------------------------------------------------


def test_activity_edit_own_entry(client):
    world = World()
    activity = _log(world)
    client.force_login(world.officer)
    response = client.post(reverse("activity_edit", args=[activity.pk]), _post(world, quantity="5"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.quantity == 5


def test_activity_edit_another_users_entry_is_404_for_staff(client):
    world = World()
    activity = _log(world, user=world.colleague)
    client.force_login(world.officer)
    assert client.get(reverse("activity_edit", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activity_edit", args=[activity.pk]), _post(world, quantity="5")).status_code == 404
    assert client.post(reverse("activity_delete", args=[activity.pk])).status_code == 404
    activity.refresh_from_db()
    assert activity.quantity == 1


def test_activity_edit_other_organisation_is_404(client):
    world = World()
    activity = _log(world)
    client.force_login(world.clerk)
    assert client.get(reverse("activity_edit", args=[activity.pk])).status_code == 404


def test_activity_edit_manager_may_change_any_entry(client):
    world = World()
    activity = _log(world, user=world.colleague)
    client.force_login(world.manager)
    client.post(reverse("activity_edit", args=[activity.pk]), _post(world, quantity="7"))
    activity.refresh_from_db()
    assert activity.quantity == 7
    assert activity.history.order_by("-history_date").first().history_user == world.manager


def test_activity_delete_own_entry(client):
    world = World()
    activity = _log(world)
    client.force_login(world.officer)
    assert client.get(reverse("activity_delete", args=[activity.pk])).status_code == 200
    client.post(reverse("activity_delete", args=[activity.pk]))
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_activity_history_manager_sees_before_and_after(client):
    world = World()
    activity = _log(world)
    client.force_login(world.officer)
    client.post(reverse("activity_edit", args=[activity.pk]), _post(world, quantity="6"))
    client.force_login(world.manager)
    response = client.get(reverse("activity_history", args=[activity.pk]))
    rows = response.context["changes"][1]["rows"]
    assert [(str(r["label"]), r["old"], r["new"]) for r in rows] == [("antal", "1", "6")]
    assert response.context["changes"][1]["record"].history_user == world.officer


def test_activity_history_is_for_managers_only(client):
    world = World()
    activity = _log(world)
    client.force_login(world.officer)
    assert client.get(reverse("activity_history", args=[activity.pk])).status_code == 403


# --- Start page ---------------------------------------------------------------------------


def test_home_lists_the_cadence_periods_still_missing(client):
    world = World()
    activity_create(
        user=world.clerk, data=ActivityData(activity_type=world.report, area=world.raslatt, date=world.today)
    )
    client.force_login(world.clerk)
    response = client.get(reverse("home"))
    week = world.today.isocalendar().week
    assert [f"{d.target.activity_type} {d.area} {d.period_label}" for d in response.context["due"]] == [
        f"Lägesbild Öxnehaga v. {week}"
    ]
    assert f"Lägesbild Öxnehaga v. {week} saknas" in response.content.decode()


def test_activity_log_another_of_the_same_kind_keeps_type_area_and_date(client):
    world = World(year=2022)
    client.force_login(world.officer)
    data = _post(world, date="2022-03-01")
    saved = client.post(reverse("activity_log", args=["fotpatrull"]), data, follow=True)
    again = reverse("activity_log", args=["fotpatrull"]) + f"?omrade={world.raslatt.pk}&datum=2022-03-01"
    assert again in saved.content.decode().replace("&amp;", "&")
    form = client.get(again).context["form"]
    assert (form["area"].value(), form["date"].value()) == (world.raslatt.pk, date(2022, 3, 1))


@pytest.mark.parametrize("datum", ["2999-01-01", "igår", "2022-02-30"])
def test_activity_log_another_ignores_a_date_it_cannot_use(client, datum):
    world = World()
    client.force_login(world.officer)
    form = client.get(reverse("activity_log", args=["fotpatrull"]), {"datum": datum}).context["form"]
    assert form["date"].value() == world.today


# --- Entries that can no longer be changed --------------------------------------------------


def test_staff_see_which_entries_are_locked_and_why_before_trying(client):
    from promises.models import Promise, PublishedTertial
    from promises.periods import Tertial

    world = World()
    open_entry = _log(world)
    published = world.log(world.patrol, 1, world.today)
    PublishedTertial.objects.create(promise=world.promise, tertial=Tertial.of(world.today).number)
    label = Tertial.of(world.today).label
    client.force_login(world.officer)
    body = client.get(reverse("activity_list")).content.decode()
    locked = f'<span class="locked">Låst: {label} är publicerad, bara en chef ändrar dess registreringar.</span>'
    assert body.count(locked) == 2  # the open entry is in the same tertial
    # The edit and delete pages say it up front and offer no button that would be refused.
    page = client.get(reverse("activity_edit", args=[published.pk])).content.decode()
    assert f"Låst: {label} är publicerad" in page
    assert ">Spara</button>" not in page
    page = client.get(reverse("activity_delete", args=[published.pk])).content.decode()
    assert f"Låst: {label} är publicerad" in page
    assert ">Ta bort</button>" not in page
    # A manager may still change them.
    client.force_login(world.manager)
    assert ">Spara</button>" in client.get(reverse("activity_edit", args=[open_entry.pk])).content.decode()
    # A closed year's entries are locked for everyone, and a deletion is refused too.
    Promise.objects.filter(pk=world.promise.pk).update(status=Promise.Status.CLOSED)
    body = client.get(reverse("activity_list")).content.decode()
    assert f"Låst: medborgarlöftet {world.today.year} tar inte emot fler ändringar." in body
    response = client.post(reverse("activity_delete", args=[open_entry.pk]))
    year = world.today.year
    assert (
        f"Medborgarlöftet {year} är avslutat: dess registreringar kan inte längre tas bort."
        in response.content.decode()
    )
    assert Activity.objects.filter(pk=open_entry.pk).exists()
