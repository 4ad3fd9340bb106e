from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Sum

from promises.models import Activity, ActivityType, User

pytestmark = pytest.mark.django_db

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def test_seed_demo_creates_a_user_per_role_and_a_year_of_activity(capsys):
    call_command("load_promise", str(SEED_FILE))
    call_command("seed_demo")
    users = {u.username: sorted(g.name for g in u.groups.all()) for u in User.objects.prefetch_related("groups")}
    assert users == {
        "polis": ["Polispersonal"],
        "kommun": ["Kommunpersonal"],
        "vatterhem": ["Bostadsbolagspersonal"],
        "chef.polis": ["Chefer"],
        "chef.kommun": ["Chefer"],
        "admin": ["Administratörer"],
    }
    assert User.objects.get(username="chef.kommun").check_password("medborgarlofte-demo")
    patrols = Activity.objects.filter(activity_type__code="fotpatrull", area__name="Råslätt")
    assert 600 < patrols.aggregate(total=Sum("quantity"))["total"] < 900
    assert patrols.filter(date__year=2022).count() == patrols.count()
    # Every entry was logged by someone whose organisation may log that type.
    allowed = ActivityType.organisations.through.objects.filter(
        activitytype=OuterRef("activity_type"), organisation=OuterRef("organisation")
    )
    assert not Activity.objects.filter(~Exists(allowed)).exists()
    assert "medborgarlofte-demo" in capsys.readouterr().out


def test_seed_demo_twice_adds_nothing():
    call_command("load_promise", str(SEED_FILE))
    call_command("seed_demo")
    before = Activity.objects.count()
    call_command("seed_demo")
    assert Activity.objects.count() == before
    assert Activity.history.count() == before
