"""Settings for `make bench`: the application's own, plus a minimal view as the framework floor."""

import warnings

from medborgarlofte.settings import *  # noqa: F403
from medborgarlofte.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
AXES_ENABLED = False

# No collectstatic for the benchmark: whitenoise's missing-folder warning is noise here.
warnings.filterwarnings("ignore", message="No directory at")

# The national installation: `/` is the index of every municipality, not one municipality's page.
PUBLIC_DEFAULT_MUNICIPALITY = ""
