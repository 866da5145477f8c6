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


def test_password_reset_tokens_are_redacted_from_text():
    reset = "GET /account/reset/MQ/cn3xk2-0123456789abcdef/ 200"

    assert redact(reset) == "GET /account/reset/[link]/ 200"
    assert redact("GET /account/reset/sent/ 200") == "GET /account/reset/sent/ 200"
    assert redact("POST /account/reset/ 302") == "POST /account/reset/ 302"


def test_gunicorn_error_log_loses_the_token(tmp_path):
    from gunicorn.config import Config

    from pathway.core.access_log import RedactingLogger

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    gunicorn_log = RedactingLogger(config)

    try:
        # What gunicorn writes when a request fails before Django could answer it.
        gunicorn_log.error("Error handling request %s", "/q/SecretToken12345/")
        written = (tmp_path / "error.log").read_text()
    finally:  # gunicorn's loggers are process-wide: leave them as they were
        for handler in list(gunicorn_log.error_log.handlers):
            gunicorn_log.error_log.removeHandler(handler)
            handler.close()

    assert "Error handling request /q/[link]/" in written
    assert "SecretToken12345" not in written
