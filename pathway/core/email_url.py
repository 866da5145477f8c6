"""EMAIL_URL, one variable for the SMTP server, as Django's email settings (pathway/settings.py).

Its own module to keep the settings module short; it imports nothing of Django, as the settings
module is read before Django is set up.
"""

from urllib.parse import parse_qs, unquote, urlsplit


def email_settings_from_url(url):
    """smtp://user:password@host:port?tls=1 (or ssl=1) -> Django email settings."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        "EMAIL_USE_SSL": query.get("ssl", ["0"])[0] in {"1", "true"},
    }
