"""`make check-deploy` passes: production settings with a random key, as .ci/run runs it."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_uses_a_random_key_and_runs_in_ci():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^check-deploy:.*?(?=^\S|\Z)", makefile, flags=re.MULTILINE | re.DOTALL).group(0)
    assert "secrets.token_urlsafe(50)" in recipe
    assert "make check-deploy" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_check_deploy_passes_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
    }
    env.pop("DEBUG", None)
    # The browser tests' live server sets this in this process; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
