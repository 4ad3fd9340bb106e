import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _swedish_by_default(settings):
    # Tests read the interface as its users do, in Swedish.
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test has its own database state; a cached page from another test must not leak in.
    cache.clear()
    yield
    cache.clear()
