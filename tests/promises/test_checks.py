"""PUBLIC_DEFAULT_MUNICIPALITY must name a municipality: a typo made "/" and every footer link a 404."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from promises.checks import public_default_municipality_check


@pytest.mark.parametrize("slug", ["", "jonkoping", "ale"])
def test_a_known_slug_or_none_passes(settings, slug):
    settings.PUBLIC_DEFAULT_MUNICIPALITY = slug
    assert public_default_municipality_check(None) == []


def test_an_unknown_slug_is_an_error_that_suggests_the_right_one(settings):
    settings.PUBLIC_DEFAULT_MUNICIPALITY = "jonkopin"
    [error] = public_default_municipality_check(None)
    assert error.id == "medborgarlofte.E001"
    assert "'jonkopin' is not the slug of a Swedish municipality" in error.msg
    assert error.hint.startswith("Did you mean jonkoping")


def test_manage_py_check_fails_on_it(settings):
    settings.PUBLIC_DEFAULT_MUNICIPALITY = "atlantis"
    with pytest.raises(SystemCheckError, match="medborgarlofte.E001"):
        call_command("check")
