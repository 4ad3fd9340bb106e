"""Typed readers for environment variables.

Each reader raises ImproperlyConfigured on a value it cannot understand, so a typo in
production configuration stops the process at start-up instead of silently falling
back to a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE - {''})}, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {choices}, got {value!r}")
    return value


# EMAIL_URL schemes: plain SMTP, SMTP with STARTTLS (port 587), SMTP over TLS (port 465), or
# the console (every message printed, for development).
_EMAIL_SCHEMES = {"smtp": (25, False, False), "smtp+tls": (587, True, False), "smtps": (465, False, True)}


def email_url(name: str) -> dict[str, object] | None:
    """Django's EMAIL_* settings from a URL such as smtp+tls://user:password@host:587, or None if unset.

    The user and password may be percent-encoded (an @ in a user name as %40).
    """
    from urllib.parse import unquote, urlsplit

    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    url = urlsplit(raw)
    if url.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with one of {sorted(_EMAIL_SCHEMES) + ['console']}://, got {url.scheme!r}"
        )
    try:
        port = url.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number") from None
    if not url.hostname:
        raise ImproperlyConfigured(f"{name} names no host")
    default_port, use_tls, use_ssl = _EMAIL_SCHEMES[url.scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": url.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(url.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
