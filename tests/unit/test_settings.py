"""Settings come from the environment and refuse unsafe production values."""

import subprocess
import sys

import pytest

from pathway.settings import email_settings_from_url
from tests.services import subprocess_environment

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-tests-only-" + "0123456789abcdef" * 3,
    "ALLOWED_HOSTS": "pathway.example.nhs.uk",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, **env_overrides):
    env = subprocess_environment(**env_overrides)
    for name in {"DATABASE_URL", "REDIS_URL"} - env_overrides.keys():
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="pathway.example.nhs.uk")

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DEBUG="false", SECRET_KEY=PRODUCTION["SECRET_KEY"])

    assert result.returncode != 0
    assert "set ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    "pds", [{"PDS_STAND_IN": "true"}, {"PDS_BASE_URL": "http://pds.example.nhs.uk/FHIR/R4"}]
)
def test_production_refuses_the_pds_stand_in_and_plain_http_to_pds(pds):
    result = run_manage("check", **PRODUCTION, **pds)

    assert result.returncode != 0
    assert "turn PDS_STAND_IN off; PDS_BASE_URL must be https" in result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://127.0.0.1:2525",
            {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 2525, "EMAIL_USE_TLS": False},
        ),
        (
            "smtp://user:p%40ss@mail.example.nhs.uk:587?tls=1",
            {"EMAIL_HOST_USER": "user", "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True},
        ),
    ],
)
def test_email_url_becomes_smtp_settings(url, expected):
    settings = email_settings_from_url(url)

    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert expected.items() <= settings.items()
