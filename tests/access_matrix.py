"""The access-control matrix: what every URL pattern answers to every kind of visitor.

tests/integration/test_access_matrix.py checks each cell against a real request, and fails
when a URL pattern has no row. Objects in URLs belong to GP practice A and TTP service A; the
manager is service A's. Read docs/security/access-matrix.md for the rules behind the cells.
"""

from typing import NamedTuple

ACTORS = (
    "anonymous",
    "patient_link",  # no sign-in; a session holding a confirmed questionnaire link of practice A
    "gp_a",
    "gp_b",
    "ttp_a",
    "ttp_b",
    "manager",
    "administrator",
)

# The page every failed patient link shows, whatever the reason (it must not reveal which).
NOT_WORKING_TEXT = "This link is not working"


class Expect:
    OK = "ok"  # the page (or a form re-displayed with its errors)
    REDIRECT = "redirect"  # sent on to another page of the service (not the sign-in page)
    LOGIN = "login"  # sent to sign in
    FORBIDDEN = "403"  # signed in, but this role never uses this page
    CONFLICT = "409"  # not possible in the record's current state (a letter before discharge)
    NOT_FOUND = "404"  # another organisation's record: answered as if it did not exist
    NO_METHOD = "405"  # the page takes only the other method
    LINK_REFUSED = "refused"  # the patient-link page that says the link is not working


class Row(NamedTuple):
    get: tuple[str, ...]
    post: tuple[str, ...]


def row(get, post=None):
    """Cells in ACTORS order, space-separated: row("login login ok 404 ...")."""
    get_cells = tuple(get.split())
    return Row(get_cells, tuple(post.split()) if post else get_cells)


MATRIX: dict[str, Row] = {
    "": row("login login redirect redirect redirect redirect redirect redirect"),
    "account/": row("login login ok ok ok ok ok ok"),
    # With MFA optional (as here) and no set-up started, the set-up page sends staff to their
    # account page; with MFA required it asks them for a set-up link (test_authenticator_set_up).
    "account/authenticator/": row(
        "login login redirect redirect redirect redirect redirect redirect"
    ),
    # An administrator's emailed set-up link: a made-up token is refused for everyone.
    "account/authenticator/link/<str:token>/": row(
        "404 404 404 404 404 404 404 404",
        "405 405 405 405 405 405 405 405",
    ),
    "account/authenticator/start/": row(
        "405 405 405 405 405 405 405 405",
        "login login redirect redirect redirect redirect redirect redirect",
    ),
    "account/password/": row("login login ok ok ok ok ok ok"),
    "account/password/done/": row(
        "login login ok ok ok ok ok ok",
        "login login 405 405 405 405 405 405",
    ),
    "account/reset/": row("ok ok ok ok ok ok ok ok"),
    "account/reset/<uidb64>/<token>/": row("ok ok ok ok ok ok ok ok"),
    "account/reset/complete/": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    "account/reset/sent/": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    "admin/": row("login login login login login login login ok"),
    "admin/(?P<url>.*)$": row("login login login login login login login 404"),
    "admin/^(?P<app_label>auth|otp_totp|axes|organisations|accounts|audit)/$": row(
        "login login login login login login login ok"
    ),
    "admin/accounts/user/": row("login login login login login login login ok"),
    "admin/accounts/user/<id>/password/": row("login login login login login login login ok"),
    "admin/accounts/user/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/accounts/user/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/accounts/user/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/accounts/user/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/accounts/user/add/": row("login login login login login login login ok"),
    "admin/audit/auditevent/": row("login login login login login login login ok"),
    "admin/audit/auditevent/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/audit/auditevent/<path:object_id>/change/": row(
        "login login login login login login login ok",
        "login login login login login login login 403",
    ),
    "admin/audit/auditevent/<path:object_id>/delete/": row(
        "login login login login login login login 403"
    ),
    "admin/audit/auditevent/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/audit/auditevent/add/": row("login login login login login login login 403"),
    "admin/auth/group/": row("login login login login login login login ok"),
    "admin/auth/group/<path:object_id>/": row("login login login login login login login redirect"),
    "admin/auth/group/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/auth/group/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/auth/group/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/auth/group/add/": row("login login login login login login login ok"),
    "admin/autocomplete/": row(
        "login login login login login login login 403",
        "login login login login login login login 405",
    ),
    "admin/axes/accessattempt/": row("login login login login login login login ok"),
    "admin/axes/accessattempt/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/axes/accessattempt/<path:object_id>/change/": row(
        "login login login login login login login ok",
        "login login login login login login login redirect",
    ),
    "admin/axes/accessattempt/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accessattempt/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accessattempt/add/": row("login login login login login login login 403"),
    "admin/axes/accessfailurelog/": row("login login login login login login login ok"),
    "admin/axes/accessfailurelog/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/axes/accessfailurelog/<path:object_id>/change/": row(
        "login login login login login login login ok",
        "login login login login login login login redirect",
    ),
    "admin/axes/accessfailurelog/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accessfailurelog/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accessfailurelog/add/": row("login login login login login login login 403"),
    "admin/axes/accesslog/": row("login login login login login login login ok"),
    "admin/axes/accesslog/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/axes/accesslog/<path:object_id>/change/": row(
        "login login login login login login login ok",
        "login login login login login login login redirect",
    ),
    "admin/axes/accesslog/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accesslog/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/axes/accesslog/add/": row("login login login login login login login 403"),
    "admin/jsi18n/": row(
        "login login login login login login login ok",
        "login login login login login login login 405",
    ),
    "admin/login/": row(
        "ok ok ok ok ok ok ok redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "admin/logout/": row(
        "redirect redirect redirect redirect redirect redirect redirect 405",
        "redirect redirect redirect redirect redirect redirect redirect login",
    ),
    "admin/organisations/commissioningarea/": row("login login login login login login login ok"),
    "admin/organisations/commissioningarea/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/organisations/commissioningarea/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/commissioningarea/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/commissioningarea/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/commissioningarea/add/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/gppractice/": row("login login login login login login login ok"),
    "admin/organisations/gppractice/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/organisations/gppractice/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/gppractice/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/gppractice/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/gppractice/add/": row("login login login login login login login ok"),
    "admin/organisations/providerservice/": row("login login login login login login login ok"),
    "admin/organisations/providerservice/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/organisations/providerservice/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/providerservice/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/providerservice/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/organisations/providerservice/add/": row("login login login login login login login ok"),
    "admin/otp_totp/totpdevice/": row("login login login login login login login ok"),
    "admin/otp_totp/totpdevice/<int:pk>/config/": row(
        "login login login login login login login 403"
    ),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": row(
        "login login login login login login login 403"
    ),
    "admin/otp_totp/totpdevice/<path:object_id>/": row(
        "login login login login login login login redirect"
    ),
    "admin/otp_totp/totpdevice/<path:object_id>/change/": row(
        "login login login login login login login ok"
    ),
    "admin/otp_totp/totpdevice/<path:object_id>/delete/": row(
        "login login login login login login login ok"
    ),
    "admin/otp_totp/totpdevice/<path:object_id>/history/": row(
        "login login login login login login login ok"
    ),
    "admin/otp_totp/totpdevice/add/": row("login login login login login login login ok"),
    "admin/password_change/": row("login login login login login login login ok"),
    "admin/password_change/done/": row(
        "login login login login login login login ok",
        "login login login login login login login 405",
    ),
    "admin/r/<path:content_type_id>/<path:object_id>/": row(
        "login login login login login login login 404"
    ),
    "administration/": row("login login 403 403 403 403 403 ok"),
    "advice/back-and-neck-pain/": row("ok ok ok ok ok ok ok ok"),
    "audit/": row("login login 403 403 403 403 ok ok"),
    "gp/": row("login login ok ok 403 403 403 403"),
    "gp/refer/": row("login login ok ok 403 403 403 403"),
    "gp/refer/assess/": row(
        "405 405 405 405 405 405 405 405",
        "login login ok ok 403 403 403 403",
    ),
    "gp/referrals/<uuid:public_id>/": row("login login ok 404 ok 404 ok 403"),
    # The FHIR API (docs/api.md): a bearer token, never a session, so a signed-in member of
    # staff is as anonymous as anyone (401); another organisation's record is 404 to a client
    # (tests/integration/test_api_access.py). The statement is public; anything else under
    # the base is a FHIR 404.
    "fhir/R4/metadata": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    **{
        f"fhir/R4/{resource_type}{suffix}": row(
            "401 401 401 401 401 401 401 401",
            "405 405 405 405 405 405 405 405",
        )
        for resource_type in (
            "Patient",
            "EpisodeOfCare",
            "ServiceRequest",
            "Appointment",
            "DocumentReference",
            "QuestionnaireResponse",
            "Observation",
        )
        for suffix in ("", "/<str:public_id>")
    },
    # A discharge letter's PDF (tests/integration/test_api_letters.py): read only.
    "fhir/R4/Binary/<str:public_id>": row(
        "401 401 401 401 401 401 401 401",
        "405 405 405 405 405 405 405 405",
    ),
    "fhir/R4/<path:_rest>": row("404 404 404 404 404 404 404 404"),
    # Bulk export (tests/integration/test_api_export.py): kick-off, status (GET and DELETE)
    # and files, each needing an area's or a service's token; only the client that asked
    # sees an export.
    "fhir/R4/$export": row(
        "401 401 401 401 401 401 401 401",
        "405 405 405 405 405 405 405 405",
    ),
    **{
        f"fhir/R4/{route}": row(
            "401 401 401 401 401 401 401 401",
            "405 405 405 405 405 405 405 405",
        )
        for route in (
            "$export-status/<str:public_id>",
            "$export-file/<str:public_id>/<str:file_name>",
        )
    },
    # Referrals in: a transaction posted to the base, with or without its slash, needs a
    # practice client's token (tests/integration/test_api_referrals.py).
    "fhir/R4/": row(
        "405 405 405 405 405 405 405 405",
        "401 401 401 401 401 401 401 401",
    ),
    "fhir/R4": row(
        "405 405 405 405 405 405 405 405",
        "401 401 401 401 401 401 401 401",
    ),
    # Published Questionnaires and CodeSystems are public; the matrix's id is none of theirs.
    "fhir/R4/Questionnaire/<str:public_id>": row(
        "404 404 404 404 404 404 404 404",
        "405 405 405 405 405 405 405 405",
    ),
    "fhir/R4/CodeSystem/<str:public_id>": row(
        "404 404 404 404 404 404 404 404",
        "405 405 405 405 405 405 405 405",
    ),
    "health": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    "manager/": row("login login 403 403 403 403 ok 403"),
    "manager/activity/": row("login login 403 403 403 403 ok 403"),
    "manager/board-report/": row("login login 403 403 403 403 ok 403"),
    "manager/outcomes/": row("login login 403 403 403 403 ok 403"),
    "manager/waiting-list/": row("login login 403 403 403 403 ok 403"),
    # OAuth2 client credentials: an empty form is an invalid_request (400) for anyone.
    "oauth2/token": row(
        "405 405 405 405 405 405 405 405",
        "400 400 400 400 400 400 400 400",
    ),
    # Administrators run accounts and organisations: no clinical record for them.
    "patients/<uuid:public_id>/": row("login login ok 404 ok 404 ok 403"),
    # Local development's stand-in for PDS (settings.PDS_STAND_IN, never with DEBUG off): like
    # PDS it is asked by our server, not by people, and it serves only the 999 test range.
    # Its search (a name, date of birth and postcode): without them it matches nobody.
    "pds-stand-in/FHIR/R4/Patient": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    "pds-stand-in/FHIR/R4/Patient/<str:nhs_number>": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    # The token is swapped at once for a session holding only the link, and the visitor is
    # sent to /q/start/ (a wrong, expired or used token: test_patient_link.py). Anything under
    # a token answers the same way, so no 404 ever logs a token.
    "q/<str:token>/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect"
    ),
    "q/<str:token>/<path:_rest>": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect"
    ),
    "q/complete/": row("refused redirect refused refused refused refused refused refused"),
    "q/confirm/": row("refused ok refused refused refused refused refused refused"),
    "q/questionnaire/": row("refused redirect refused refused refused refused refused refused"),
    "q/questionnaire/<slug:instrument>/": row(
        "refused ok refused refused refused refused refused refused"
    ),
    # Every later page works only in the session that opened the link; the questionnaires
    # also need the date of birth confirmed there.
    "q/start/": row("refused ok refused refused refused refused refused refused"),
    # Stopping messages needs the date of birth confirmed too; the page says what it means.
    "q/stop/": row("refused ok refused refused refused refused refused refused"),
    # Self-referral: public pages, the same for everyone (a journey lives in the session). A
    # step reached with no journey goes back to the start; posted, it says the session ended.
    "self-referral/<str:code>/": row(
        "ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405",
    ),
    "self-referral/<str:code>/identity/": row("ok ok ok ok ok ok ok ok"),
    "self-referral/<str:code>/identity/name/": row("ok ok ok ok ok ok ok ok"),
    "self-referral/<str:code>/your-pain/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "self-referral/<str:code>/symptoms/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "self-referral/<str:code>/eligibility/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "self-referral/<str:code>/questions/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "self-referral/<str:code>/contact/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok ok ok ok ok ok ok ok",
    ),
    "self-referral/<str:code>/finished/": row(
        "redirect redirect redirect redirect redirect redirect redirect redirect",
        "405 405 405 405 405 405 405 405",
    ),
    # On to the baseline questionnaires: only from a journey just finished (none here).
    "self-referral/<str:code>/finished/questionnaires/": row(
        "405 405 405 405 405 405 405 405",
        "redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    "sign-in/": row("ok ok redirect redirect redirect redirect redirect redirect"),
    "sign-in/code/": row("login login redirect redirect redirect redirect redirect redirect"),
    "sign-out/": row(
        "405 405 405 405 405 405 405 405",
        "login login login login login login login login",
    ),
    "ttp/": row("login login 403 403 ok ok 403 403"),
    "ttp/alerts/": row("login login 403 403 ok ok 403 403"),
    "ttp/alerts/<int:pk>/acknowledge/": row(
        "405 405 405 405 405 405 405 405",
        "login login 403 403 ok 404 403 403",
    ),
    "ttp/appointments/<int:pk>/letter/": row("login login 403 403 ok 404 403 403"),
    "ttp/appointments/<int:pk>/outcome/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/": row("login login 403 403 ok 404 ok 403"),
    "ttp/episodes/<uuid:public_id>/book/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/cppp/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/discharge-letter/": row("login login 409 404 409 404 409 403"),
    "ttp/episodes/<uuid:public_id>/discharge-letter.pdf": row(
        "login login 409 404 409 404 409 403"
    ),
    "ttp/episodes/<uuid:public_id>/discharge/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/exception/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/questionnaire-messages/": row(
        "405 405 405 405 405 405 405 405",
        "login login 403 403 redirect 404 403 403",
    ),
    "ttp/episodes/<uuid:public_id>/questionnaires/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/reopen/": row("login login 403 403 ok 404 403 403"),
    "ttp/episodes/<uuid:public_id>/triage/": row("login login 403 403 ok 404 403 403"),
    "ttp/triage/": row("login login 403 403 ok ok 403 403"),
}
