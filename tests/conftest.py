import pytest


@pytest.fixture(autouse=True)
def _swedish_by_default(settings):
    # Tests read the interface as its users do, in Swedish.
    settings.LANGUAGE_CODE = "sv"
