"""EMAIL_URL becomes Django's e-mail settings; anything else is refused at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from medborgarlofte.env import email_url


def test_email_url_unset_is_none(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert email_url("EMAIL_URL") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+tls://noreply%40example.se:p%40ss@smtp.example.se",
            ("smtp.example.se", 587, "noreply@example.se", "p@ss", True, False),
        ),
        ("smtps://u:p@smtp.example.se", ("smtp.example.se", 465, "u", "p", False, True)),
        ("smtp://relay.internal:2525", ("relay.internal", 2525, "", "", False, False)),
    ],
)
def test_email_url_gives_smtp_settings(monkeypatch, url, expected):
    monkeypatch.setenv("EMAIL_URL", url)
    parsed = email_url("EMAIL_URL")
    assert parsed["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (
        parsed["EMAIL_HOST"],
        parsed["EMAIL_PORT"],
        parsed["EMAIL_HOST_USER"],
        parsed["EMAIL_HOST_PASSWORD"],
        parsed["EMAIL_USE_TLS"],
        parsed["EMAIL_USE_SSL"],
    ) == expected


def test_email_url_console(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "console://")
    assert email_url("EMAIL_URL") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize("url", ["smtp://", "imap://mail.example.se"])
def test_email_url_refuses_what_it_cannot_use(monkeypatch, url):
    monkeypatch.setenv("EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_url("EMAIL_URL")
