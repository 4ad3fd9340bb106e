import pytest
from django.core.cache import cache
from django.urls import reverse

from promises import roles
from promises.models import Promise
from tests.factories import (
    PASSWORD,
    ActivityTypeFactory,
    CommitmentFactory,
    OrganisationFactory,
    PromiseFactory,
    SectionFactory,
    UserFactory,
    manager_user,
    staff_user,
)

pytestmark = pytest.mark.django_db


def test_public_index_shows_the_active_promise(client):
    commitment = CommitmentFactory(
        section=SectionFactory(promise=PromiseFactory(title="Medborgarlöfte 2022"), title="Polisiärt arbete"),
        text="Polisen ska fotpatrullera minst 800 gånger på Råslätt.",
    )
    response = client.get(reverse("public:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Medborgarlöfte 2022" in body
    assert "Polisiärt arbete" in body
    assert commitment.text in body
    assert '<html lang="sv">' in body


def test_public_index_never_shows_a_draft_promise(client):
    PromiseFactory(title="Utkast 2023", year=2023, status=Promise.Status.DRAFT)
    response = client.get(reverse("public:index"))
    assert response.status_code == 200
    assert "Utkast 2023" not in response.content.decode()


def test_public_index_query_count_does_not_grow_with_commitments(client, django_assert_max_num_queries):
    promise = PromiseFactory()
    section = SectionFactory(promise=promise)
    CommitmentFactory(section=section)
    # 12 to render it, 1 for the publication stamp of the page cache (followup/public_cache.py).
    with django_assert_max_num_queries(13) as small:
        client.get(reverse("public:index"))
    for _ in range(20):
        CommitmentFactory(section=SectionFactory(promise=promise))
    cache.clear()  # rendered again, not the kept page
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("public:index"))


def test_home_staff_sees_the_types_their_organisation_may_log(client):
    police = OrganisationFactory(short_name="Polisen")
    municipality = OrganisationFactory(short_name="Kommunen")
    ActivityTypeFactory(name="Fotpatrullering", organisations=[police])
    ActivityTypeFactory(name="SSG-möte", organisations=[municipality])
    client.force_login(staff_user(organisation=police))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert [t.name for t in response.context["activity_types"]] == ["Fotpatrullering"]
    assert response.context["can_log"] is True
    assert response.context["can_review"] is False


def test_home_other_organisation_sees_its_own_types(client):
    police = OrganisationFactory(short_name="Polisen")
    municipality = OrganisationFactory(short_name="Kommunen")
    ActivityTypeFactory(name="Fotpatrullering", organisations=[police])
    ActivityTypeFactory(name="SSG-möte", organisations=[municipality])
    client.force_login(UserFactory(organisation=municipality, role=roles.MUNICIPAL_STAFF))
    response = client.get(reverse("home"))
    assert [t.name for t in response.context["activity_types"]] == ["SSG-möte"]


def test_home_manager_is_offered_the_review(client):
    client.force_login(manager_user())
    response = client.get(reverse("home"))
    assert response.context["can_review"] is True


def test_home_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_right_password_lands_on_home(client):
    user = staff_user()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_wrong_password_keeps_username_and_explains_in_swedish(client):
    user = staff_user()
    response = client.post(reverse("login"), {"username": user.username, "password": "fel"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ange ett korrekt" in body  # Django's Swedish message
    assert f'value="{user.username}"' in body
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client):
    client.force_login(staff_user())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_english_is_selectable(client):
    response = client.get("/en" + reverse("login"))
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Log in</h1>" in body


def test_language_swedish_is_the_default(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert '<html lang="sv">' in body
    assert "<h1>Logga in</h1>" in body


def test_session_inactivity_logs_the_user_out(client, settings):
    settings.SESSION_INACTIVITY_TIMEOUT = 60
    client.force_login(staff_user())
    client.get(reverse("home"))
    session = client.session
    session["last_activity"] -= 61
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_refused_marks_both_fields_invalid_and_described_by_the_summary(client):
    import re

    user = staff_user()
    response = client.post(reverse("login"), {"username": user.username, "password": "fel"})
    body = response.content.decode()
    inputs = re.findall(r"<input[^>]*name=\"(?:username|password)\"[^>]*>", body)
    assert len(inputs) == 2
    for tag in inputs:
        assert 'aria-invalid="true"' in tag
        assert 'aria-describedby="error-summary"' in tag
    assert 'id="error-summary"' in body
    assert "js/form-errors" in body


def test_login_empty_field_is_described_by_its_own_message(client):
    import re

    response = client.post(reverse("login"), {"username": "", "password": "x"})
    body = response.content.decode()
    (username,) = re.findall(r"<input[^>]*name=\"username\"[^>]*>", body)
    assert 'aria-invalid="true"' in username
    assert 'aria-describedby="id_username_error"' in username


def test_login_page_marks_nothing_invalid_before_a_try(client):
    body = client.get(reverse("login")).content.decode()
    assert "aria-invalid" not in body
    assert "js/form-errors" not in body


def test_djangos_usual_login_address_leads_to_ours(client):
    response = client.get("/accounts/login/?next=/start/")
    assert response.status_code == 301
    assert response["Location"] == "/konto/logga-in/?next=/start/"
    assert client.get("/en/accounts/login/")["Location"] == "/en/konto/logga-in/"
