"""Bad configuration stops the process at start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 60


# Variables of the test run itself (the browser tests allow async-unsafe ORM calls) are not
# part of the configuration under test.
_OWN = {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _OWN}


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = _clean_env()
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "medborgarlofte.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_development_default_works_without_configuration():
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be one of"),
        ({"CONN_MAX_AGE": "soon"}, "CONN_MAX_AGE must be an integer"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY must be set"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x"}, "at least 50 characters"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY}, "ALLOWED_HOSTS must be set"),
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY, "ALLOWED_HOSTS": "x", "DEBUG": "1"},
            "DEBUG must be off",
        ),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is set but lists nothing"),
        ({"PUBLIC_DEFAULT_MUNICIPALITY": "Jönköping"}, "PUBLIC_DEFAULT_MUNICIPALITY is the slug"),
        ({"DATABASE_URL": "nosuchdb://x"}, "nosuchdb"),
        ({"EMAIL_URL": "pop3://mail.example.se"}, "EMAIL_URL must start with one of"),
        ({"EMAIL_URL": "smtp+tls://mail.example.se:port"}, "EMAIL_URL has a port that is not a number"),
        ({"EMAIL_HOST": "mail.example.se", "EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"SITE_URL": "medborgarlofte.example.se"}, "SITE_URL must start with http:// or https://"),
        ({"NOTIFICATION_DIGEST_WEEKDAY": "8"}, "NOTIFICATION_DIGEST_WEEKDAY must be 1 to 7"),
        ({"EMBED_ALLOWED_ORIGINS": "https://polisen.se polisen.se/sida"}, "EMBED_ALLOWED_ORIGINS must list origins"),
        ({"API_RATE_LIMIT": "120 per minute"}, "API_RATE_LIMIT must look like 120/minute"),
    ],
)
def test_settings_bad_value_fails_loudly(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_settings_production_passes_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **_clean_env(),
            "DJANGO_ENV": "production",
            "SECRET_KEY": LONG_KEY + "-!@#x" * 5,
            "ALLOWED_HOSTS": "x.se",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_embed_origins_are_space_separated():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.EMBED_ALLOWED_ORIGINS, settings.OPEN_DATA_LICENCE)",
        ],
        cwd=ROOT,
        env={
            **_clean_env(),
            "DJANGO_SETTINGS_MODULE": "medborgarlofte.settings",
            "EMBED_ALLOWED_ORIGINS": " https://polisen.se  https://www.jonkoping.se ",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['https://polisen.se', 'https://www.jonkoping.se'] CC0 1.0"
