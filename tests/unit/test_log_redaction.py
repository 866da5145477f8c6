import logging

from pathway.core.logging import RedactPatientLinks, redact


def test_patient_link_tokens_are_redacted_from_text():
    assert redact("GET /q/AbC_d-123456789xyz/ 200") == "GET /q/[link]/ 200"
    assert redact("GET /q/confirm/ 200") == "GET /q/confirm/ 200"


def test_log_records_lose_the_token_and_the_request():
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/q/SecretToken12345/",),
        None,
    )
    record.request = type("Request", (), {"path": "/q/SecretToken12345/"})()

    RedactPatientLinks().filter(record)

    assert "SecretToken12345" not in record.getMessage()
    assert record.request is None


def test_authenticator_set_up_link_tokens_are_redacted_from_text():
    line = "Gone: /account/authenticator/link/AbC_d-123456789xyz/"

    assert redact(line) == "Gone: /account/authenticator/link/[link]/"
    assert redact("GET /account/authenticator/ 200") == "GET /account/authenticator/ 200"
