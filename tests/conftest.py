import pytest
from django.core.cache import cache


def pytest_configure(config):
    # A real password hash costs about 0.6 s; the suite creates thousands of users. Tests check
    # who may do what, not PBKDF2, so they use Django's cheapest hasher.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _swedish_by_default(settings):
    # Tests read the interface as its users do, in Swedish.
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture(autouse=True)
def _one_municipality_at_the_root(settings):
    # As the demo runs: `/` is Jönköping's page. The national index's own tests
    # (tests/followup/test_national_index.py) set it empty.
    settings.PUBLIC_DEFAULT_MUNICIPALITY = "jonkoping"


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path):
    # An uploaded import waits on disk for its confirmation or its bad-rows file: never in var/.
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test has its own database state; a cached page from another test must not leak in.
    cache.clear()
    yield
    cache.clear()
