from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from promises.loader import PromiseFileError, promise_load, promise_load_file
from promises.models import ActivityType, Area, Commitment, Organisation, Promise, Target

pytestmark = pytest.mark.django_db

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def _seed_data() -> dict:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def _targets() -> dict[str, Target]:
    return {t.key: t for t in Target.objects.select_related("activity_type", "parent").prefetch_related("areas")}


def test_load_promise_every_target_of_the_seed_with_its_number():
    promise_load_file(path=SEED_FILE)
    targets = _targets()
    counts = {
        key: (t.activity_type.code, t.count, sorted(a.name for a in t.areas.all()))
        for key, t in targets.items()
        if t.kind == Target.Kind.COUNT
    }
    assert counts == {
        "fotpatrull-raslatt": ("fotpatrull", 800, ["Råslätt"]),
        "fotpatrull-oxnehaga-osterangen-ekhagen": ("fotpatrull", 800, ["Ekhagen", "Österängen", "Öxnehaga"]),
        "trafikkontroll-raslatt": ("trafikkontroll", 200, ["Råslätt"]),
        "trafikkontroll-oxnehaga-osterangen-ekhagen": (
            "trafikkontroll",
            200,
            ["Ekhagen", "Österängen", "Öxnehaga"],
        ),
        "narkotika-raslatt": ("narkotikabrott", 52, ["Råslätt"]),
        "narkotika-oxnehaga-osterangen-ekhagen": (
            "narkotikabrott",
            104,
            ["Ekhagen", "Österängen", "Öxnehaga"],
        ),
        "ssg-moten": ("ssg-mote", 8, ["Hela Jönköpings kommun"]),
        "sig-arenden": ("sig-arende", 20, ["Hela Jönköpings kommun"]),
    }
    shares = {key: (t.parent.key, t.share_percent) for key, t in targets.items() if t.kind == Target.Kind.SHARE}
    assert shares == {
        "narkotika-raslatt-forstagang": ("narkotika-raslatt", Decimal("20.00")),
        "narkotika-oxnehaga-osterangen-ekhagen-forstagang": (
            "narkotika-oxnehaga-osterangen-ekhagen",
            Decimal("20.00"),
        ),
    }
    cadences = {
        key: (t.activity_type.code, t.period, sorted(a.name for a in t.areas.all()))
        for key, t in targets.items()
        if t.kind == Target.Kind.CADENCE
    }
    assert cadences == {
        "lagesbild-raslatt": ("lagesbild", "week", ["Råslätt"]),
        "lagesbild-manadsvis": (
            "lagesbild",
            "month",
            ["Huskvarna", "Österängen", "Övriga Jönköpings kommun", "Öxnehaga"],
        ),
        "bos-moten": ("bos-mote", "week", ["Huskvarna", "Råslätt", "Österängen", "Öxnehaga"]),
    }
    qualitative = sorted(key for key, t in targets.items() if t.kind == Target.Kind.QUALITATIVE)
    assert qualitative == ["analyser-och-atgarder", "est-implementering", "formella-moten"]


def test_load_promise_structure_matches_the_document():
    promise_load_file(path=SEED_FILE)
    promise = Promise.objects.get(municipality__name="Jönköping", year=2022)
    sections = [(s.number, s.title, s.commitments.count()) for s in promise.sections.order_by("number")]
    assert sections == [
        (1, "Polisiärt arbete", 4),
        (2, "Effektiv samordning för trygghet (EST)", 4),
        (3, "Samverkan mellan polis och kommun", 4),
    ]
    assert sorted(o.short_name for o in promise.parties.all()) == ["Kommunen", "Polisen"]
    assert [s.name for s in promise.signatories.all()] == ["Håkan Boberg", "Ann-Marie Nilsson"]
    assert promise.signed_on is None  # the document says 2021-12-XX
    assert Organisation.objects.filter(short_name="Vätterhem", kind=Organisation.Kind.HOUSING).exists()
    assert Area.objects.filter(is_whole_municipality=True).count() == 1
    drug = ActivityType.objects.get(code="narkotikabrott")
    assert drug.has_first_time_user is True
    traffic = ActivityType.objects.get(code="trafikkontroll")
    assert (traffic.has_duration, traffic.min_duration_minutes) == (True, 20)
    assert ActivityType.objects.get(code="sig-arende").is_sensitive is True


def test_load_promise_twice_changes_nothing():
    first = promise_load_file(path=SEED_FILE)
    history_before = Target.history.count()
    second = promise_load_file(path=SEED_FILE)
    assert first.created > 0
    assert (second.created, second.updated) == (0, 0)
    assert Target.history.count() == history_before
    assert Target.objects.count() == 16


def test_load_promise_updates_a_changed_number():
    promise_load_file(path=SEED_FILE)
    data = _seed_data()
    data["promise"]["sections"][0]["commitments"][0]["targets"][0]["count"] = 900
    report = promise_load(data=data)
    assert report.updated == 1
    assert Target.objects.get(key="fotpatrull-raslatt").count == 900


def test_load_promise_malformed_file_names_the_entry_and_loads_nothing():
    data = _seed_data()
    data["promise"]["sections"][2]["commitments"][0]["targets"][0]["areas"] = ["Atlantis"]
    with pytest.raises(PromiseFileError) as excinfo:
        promise_load(data=data)
    assert "promise.sections[2].commitments[0].targets[0] (ssg-moten).areas" in str(excinfo.value)
    assert "Atlantis" in str(excinfo.value)
    assert Promise.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_load_promise_invalid_value_is_reported_with_the_entry():
    data = _seed_data()
    data["promise"]["sections"][0]["commitments"][2]["targets"][1]["share_percent"] = 120
    with pytest.raises(PromiseFileError) as excinfo:
        promise_load(data=data)
    assert "narkotika-raslatt-forstagang" in str(excinfo.value)
    assert Target.objects.count() == 0


def test_load_promise_missing_field_is_reported():
    data = _seed_data()
    del data["promise"]["sections"][1]["commitments"][1]["text"]
    with pytest.raises(PromiseFileError) as excinfo:
        promise_load(data=data)
    assert str(excinfo.value) == "promise.sections[1].commitments[1]: 'text' is missing"


def test_load_promise_command_reports_bad_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("promise: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_promise", str(bad))
    assert "Nothing was loaded" in str(excinfo.value)
    assert "not valid YAML" in str(excinfo.value)
    assert Commitment.objects.count() == 0


def test_load_promise_command_loads_the_seed(capsys):
    call_command("load_promise", str(SEED_FILE))
    assert "Medborgarlöfte 2022" in capsys.readouterr().out
    assert Promise.objects.get().status == Promise.Status.ACTIVE


def test_load_promise_changing_a_targets_areas_goes_through_the_service_and_moves_the_revision(
    django_capture_on_commit_callbacks,
):
    promise_load_file(path=SEED_FILE)
    before = Promise.objects.get().revision
    data = _seed_data()
    target_entry = next(
        target
        for section in data["promise"]["sections"]
        for commitment in section["commitments"]
        for target in commitment.get("targets", [])
        if target.get("kind") == "count" and len(target.get("areas", [])) > 1
    )
    target_entry["areas"] = target_entry["areas"][:1]
    with django_capture_on_commit_callbacks(execute=True):
        report = promise_load(data=data)
    target = Target.objects.get(key=target_entry["key"])
    assert [area.name for area in target.areas.all()] == target_entry["areas"]
    assert any(change.startswith("updated: areas of") for change in report.changes)
    assert Promise.objects.get().revision != before  # a new UUID, after commit


def test_load_promise_seed_lets_the_housing_company_log_measures_but_not_counted_types():
    from datetime import date

    from django.core.exceptions import ValidationError

    from promises.services import ActivityData, activity_create
    from tests.factories import staff_user

    promise_load_file(path=SEED_FILE)
    Promise.objects.update(status=Promise.Status.ACTIVE)
    vatterhem = Organisation.objects.get(short_name="Vätterhem")
    user = staff_user(organisation=vatterhem)
    raslatt = Area.objects.get(name="Råslätt")
    measure = activity_create(
        user=user,
        data=ActivityData(
            activity_type=ActivityType.objects.get(code="atgard"),
            area=raslatt,
            date=date(2022, 3, 1),
            description="Bättre belysning",
        ),
    )
    assert measure.promise.year == 2022
    meeting = activity_create(
        user=user,
        data=ActivityData(
            activity_type=ActivityType.objects.get(code="formellt-mote"), area=raslatt, date=date(2022, 3, 1)
        ),
    )
    assert meeting.organisation == vatterhem
    patrol = ActivityType.objects.get(code="fotpatrull")
    patrol.organisations.add(vatterhem)
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=user, data=ActivityData(activity_type=patrol, area=raslatt, date=date(2022, 3, 1)))
    assert list(excinfo.value.message_dict) == ["activity_type"]
    assert "har inte undertecknat" in excinfo.value.message_dict["activity_type"][0]


def test_load_promise_names_the_municipality_by_name_or_by_code():
    data = _seed_data()
    data["promise"]["municipality"] = "0680"
    for area in data["areas"]:
        area["municipality"] = "Jönköpings kommun"
    promise = promise_load(data=data).promise
    assert promise is not None
    assert (promise.municipality.code, promise.municipality.name) == ("0680", "Jönköping")
    assert set(Area.objects.values_list("municipality__code", flat=True)) == {"0680"}


def test_load_promise_unknown_municipality_is_named_and_nothing_loads():
    data = _seed_data()
    data["promise"]["municipality"] = "Atlantis"
    with pytest.raises(PromiseFileError) as excinfo:
        promise_load(data=data)
    assert str(excinfo.value).startswith("promise: unknown municipality 'Atlantis'")
    assert Promise.objects.count() == 0


def test_load_promise_reads_the_aliases_of_areas_and_types():
    promise_load(data=_seed_data())
    assert Area.objects.get(name="Hela Jönköpings kommun").aliases == ["Hela kommunen", "Kommunen"]
    assert Area.objects.get(name="Huskvarna").aliases == ["Huskvarna södra"]
    assert ActivityType.objects.get(code="ssg-mote").aliases == ["ssg", "SSG-möten"]
    assert promise_load(data=_seed_data()).updated == 0  # loading again changes nothing


def test_load_promise_refuses_an_alias_that_is_not_a_name():
    data = _seed_data()
    data["areas"][0]["aliases"] = [{"name": "x"}]
    with pytest.raises(PromiseFileError, match=r"areas\[0\] \(Råslätt\)\.aliases"):
        promise_load(data=data)
