"""Bad input never breaks anything: every page of the service, fed random, huge, Unicode and
injection-shaped values in its query string and in every field of its forms, never answers
500, never shows a script it was given unescaped, and never keeps part of a refused form.

The pages come from walking Django's URL resolver (so a new page is fuzzed without changes
here), each opened by the first kind of visitor that may use it, with its path filled by real
records of one data set. The forms come from the pages' own HTML. Every example runs in a
savepoint that is rolled back, so examples do not see each other's writes. The admin site is
left out: it is Django's own code and only administrators reach it.
"""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pathway.audit.models import AuditAction, AuditEvent
from pathway.demo import care as demo_care
from pathway.proms.models import SafetyAlert
from tests.factories import PatientFactory
from tests.integration.test_patient_link import answer_everything, new_link

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
# Examples per form, and per page's query string (pages read few keys, forms have many fields).
EXAMPLES_PER_FORM = 15
EXAMPLES_PER_QUERY = 8
# Every query-string key a view reads (grep request.GET), and a few it does not.
QUERY_KEYS = [
    "timepoint",
    "from",
    "to",
    "service",
    "export",
    "priority",
    "risk",
    "returner",
    "alert",
    "sort",
    "breach",
    "practice",
    "next",
    "page",
    "q",
]
NASTY = [
    SCRIPT,
    f'"><{SCRIPT[1:]}',
    "' OR 1=1 --",
    "1; DROP TABLE patients_patient; --",
    "{{7*7}}",
    "{% debug %}",
    "${7*7}",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "%00",
    "",
    " ",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "\U0001f600" * 3,
    "\ufeff",
    "-1",
    "0",
    "-0",
    "1.5",
    "-2.75",
    "1e309",
    "NaN",
    "inf",
    "2147483648",
    "9223372036854775808",
    "-99999999999999999999",
    "31/02/2026",
    "2026-02-31",
    "2026-02-29",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0",
    "9999",
    "13",
    "32",
    "999 000 0000",
    "9990000018",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "x" * 10_001,
    "\u00e9\u4e2d\U0001f600" * 4_000,
    f"{SCRIPT}{'y' * 10_000}",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.tuples(st.sampled_from(NASTY), st.text(max_size=10)).map("".join),
)
extra_keys = st.one_of(st.sampled_from(QUERY_KEYS), st.text(min_size=1, max_size=20))

# Rows a refused form may still write: sessions, sign-in attempts (django-axes), guess counters
# and audit events of reading; everything else must be untouched.
UNCOUNTED = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
UNCOUNTED |= {"proms.guesscounter", "audit.auditevent"}


# --- The pages ----------------------------------------------------------------------------


def url_patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


ROUTES = [route for route in url_patterns() if not route.startswith("admin/")]


@pytest.fixture
def world(gp, ttp, manager, administrator, service, make_episode):
    """One realistic data set: an episode in each state a page needs, an alert, a link, and
    a fresh heartbeat (without one /health rightly answers 503, degraded)."""
    from pathway.core.actions import record_heartbeat

    record_heartbeat()
    awaiting = make_episode()
    booked = make_episode()
    appointment = demo_care.book(booked, ttp, days=3)
    in_treatment = make_episode()
    demo_care.assess_and_triage(in_treatment, ttp, days=-5, outcome="core_therapy")
    cppp = make_episode()
    demo_care.assess_and_triage(cppp, ttp, days=-5, outcome="cppp")
    discharged = make_episode()
    demo_care.assess_and_triage(discharged, ttp, days=-5, outcome="same_day_discharge")
    missed = make_episode()
    for days in (-20, -10):
        demo_care.attend(demo_care.book(missed, ttp, days=days), ttp, outcome="did_not_attend")
    alerted = make_episode()
    answer_everything(Client(), new_link(alerted), phq9_item_9=2)
    patient = PatientFactory(registered_practice=gp.practice)
    # Its self-referral pages are served, so they are fuzzed too.
    service.accepts_self_referral = True
    service.save(update_fields=["accepts_self_referral"])
    return {
        "service": service,
        "users": {"ttp": ttp, "gp": gp, "manager": manager, "administrator": administrator},
        "episodes": {
            "book": awaiting,
            "triage": in_treatment,
            "cppp": cppp,
            "discharge": in_treatment,
            "discharge-letter": discharged,
            "exception": missed,
            "reopen": discharged,
            "questionnaires": in_treatment,
        },
        "default_episode": in_treatment,
        "appointment": appointment,
        "alert": SafetyAlert.objects.get(episode=alerted),
        "patient": patient,
        "referral": awaiting.referral,
        "token": new_link(awaiting),
        "date_of_birth": awaiting.patient.date_of_birth,
    }


def concrete_url(route, world):
    """The route's path with its parameters filled by the data set's records."""
    step = route.rstrip("/").rsplit("/", 1)[-1]
    episode = world["episodes"].get(step, world["default_episode"])
    if route.startswith("gp/referrals/"):
        public_id = world["referral"].public_id
    elif route.startswith("patients/"):
        public_id = world["patient"].public_id
    else:
        public_id = episode.public_id
    values = {
        "public_id": public_id,
        "pk": world["alert"].pk if "alerts" in route else world["appointment"].pk,
        "instrument": "pain_nrs",
        "token": world["token"],
        "_rest": "stop/",
        "file_name": "Patient-1.ndjson",  # a bulk export's file
        "uidb64": "MQ",
        "nhs_number": world["patient"].nhs_number,
        "code": world["service"].code,
    }
    if "reset" in route:
        values["token"] = "set-password"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)


def visitor(route, world):
    """A function giving a fresh client for one example, as a visitor who may use the page."""
    if route.startswith("q/"):
        token = world["token"]
        born = world["date_of_birth"]

        def patient():
            client = Client()
            if "<" not in route:  # the token pages themselves start with no session
                client.get(f"/q/{token}/")
                birth = {"day": born.day, "month": born.month, "year": born.year}
                client.post("/q/confirm/", {f"date_of_birth_{k}": v for k, v in birth.items()})
            return client

        return "patient", patient

    url = concrete_url(route, world)
    candidates = [("anonymous", None), *world["users"].items()]
    for name, user in candidates:
        with transaction.atomic():  # an empty POST may still do something: undo it
            client = signed_in(user)
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url)
            transaction.set_rollback(True)
        if _usable(response):
            return name, lambda user=user: signed_in(user)
    return "ttp", lambda: signed_in(world["users"]["ttp"])


def signed_in(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _usable(response):
    if response.status_code in (403, 404, 405):
        return False
    location = response.get("Location", "")
    return not location.startswith(("/sign-in/", "/admin/login/"))


# --- Forms, from the pages' HTML -------------------------------------------------------------


class FormParser(HTMLParser):
    """Every POST form: its action (and htmx hx-post) and its fields with a plausible value."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"actions": [attrs.get("action") or ""], "fields": {}, "choices": {}}
            if attrs.get("hx-post"):
                self._form["actions"].append(attrs["hx-post"])
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        fields, choices = self._form["fields"], self._form["choices"]
        if tag in ("input", "button"):
            kind = (attrs.get("type") or "text").lower()
            value = attrs.get("value") or ""
            if kind in ("radio", "checkbox", "submit") or tag == "button":
                choices.setdefault(name, []).append(value)
                if "checked" in attrs or name not in fields:
                    fields[name] = value
            else:
                fields[name] = value
        elif tag == "textarea":
            fields[name] = "A note"
        elif tag == "select":
            self._select = name
            fields[name] = ""
        elif tag == "option" and self._select:
            choices.setdefault(self._select, []).append(attrs.get("value", ""))
            if "selected" in attrs or not fields[self._select]:
                fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_by_action(pages):
    """{action path: [(action with query, fields)]} from the HTML of every page."""
    found = {}
    for page_url, html in pages.items():
        parser = FormParser()
        parser.feed(html)
        for form in parser.forms:
            for action in form["actions"]:
                full = action or page_url
                fields = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
                found.setdefault(urlsplit(full).path, []).append((full, fields))
    return found


# --- What every answer must satisfy ----------------------------------------------------------


def row_counts():
    counts = {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in UNCOUNTED and model._meta.managed
    }
    changes = AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE])
    counts["audit.auditevent (changes)"] = changes.count()
    return counts


def check_answer(response, description):
    assert response.status_code < 500, f"{description}: status {response.status_code}"
    if "html" in response.get("Content-Type", ""):
        content = response.content.decode(errors="replace")
        assert SCRIPT not in content, f"{description}: a script shown unescaped"


def _short(data):
    return {key[:30]: (value[:30] + "…" if len(value) > 30 else value) for key, value in data}


def refused(response):
    """A form re-displayed with its errors, or a refusal: nothing may have been written."""
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and b"nhsuk-error-summary" in response.content


def run_examples(test):
    """Run a hypothesis test, returning its failure (or None) so every page gets its turn."""
    try:
        test()
    except Exception as failure:  # noqa: BLE001 (collected and reported at the end)
        return failure
    return None


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    database=None,
    # No shrinking: the failure message names the page and the values already.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# --- The tests -----------------------------------------------------------------------------


def test_every_page_of_the_service_is_fuzzed():
    # A guard for the walk itself: the service's own pages are all there.
    for route in ("gp/refer/", "ttp/episodes/<uuid:public_id>/book/", "q/confirm/", "q/stop/"):
        assert route in ROUTES
    assert not any(route.startswith("admin/") for route in ROUTES)


def query_string_fuzz(url, new_client):
    # One client for the page's examples: made outside their savepoints, its sign-in or link
    # session outlives each example's rollback (and a GET has nothing to undo in it).
    client = new_client()

    @settings(FUZZ_SETTINGS, max_examples=EXAMPLES_PER_QUERY)
    @given(params=st.lists(st.tuples(extra_keys, values), max_size=6), htmx=st.booleans())
    def fuzz(params, htmx):
        with transaction.atomic():
            headers = {"HX-Request": "true"} if htmx else {}
            description = f"GET {url} {_short(params)}"
            try:
                response = client.get(url, params, headers=headers)
            except Exception as error:
                raise AssertionError(f"{description}: {error!r}") from error
            check_answer(response, description)
            transaction.set_rollback(True)

    return fuzz


def form_fuzz(action, fields, new_client):
    @FUZZ_SETTINGS
    @given(
        changed=st.dictionaries(
            st.sampled_from(sorted(fields) or ["field"]), values, max_size=len(fields)
        ),
        extra=st.lists(st.tuples(extra_keys, values), max_size=2),
    )
    def fuzz(changed, extra):
        data = {**fields, **changed, **dict(extra)}
        with transaction.atomic():
            client = new_client()
            before = row_counts()
            description = f"POST {action} {_short(changed.items())}"
            try:
                response = client.post(action, data)
            except Exception as error:
                raise AssertionError(f"{description}: {error!r}") from error
            check_answer(response, description)
            if refused(response):
                after = row_counts()
                written = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                assert not written, f"{description}: refused but wrote {written}"
            transaction.set_rollback(True)

    return fuzz


def test_query_strings_never_break_a_page(world):
    failures = []
    for route in ROUTES:
        url = concrete_url(route, world)
        try:
            _name, new_client = visitor(route, world)
        except Exception as error:  # noqa: BLE001 (reported with the others at the end)
            failures.append(f"{route}: opening the page failed: {error!r}")
            continue
        failure = run_examples(query_string_fuzz(url, new_client))
        if failure:
            failures.append(f"{route}: {failure}")
    assert not failures, "\n".join(failures)


def test_form_posts_never_break_a_page_or_half_save(world):
    targets = {route: concrete_url(route, world) for route in ROUTES}
    visitors, pages, failures, fuzzed = {}, {}, [], 0
    for route, url in targets.items():
        try:
            visitors[route] = visitor(route, world)
            response = visitors[route][1]().get(url)
        except Exception as error:  # noqa: BLE001 (reported with the others at the end)
            failures.append(f"{route}: opening the page failed: {error!r}")
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[response.request["PATH_INFO"]] = response.content.decode()
    forms = forms_by_action(pages)
    for route, url in targets.items():
        if route not in visitors:
            continue
        for action, fields in forms.get(urlsplit(url).path, [])[:2]:
            fuzzed += 1
            failure = run_examples(form_fuzz(action, fields, visitors[route][1]))
            if failure:
                failures.append(f"{route}: {failure}")
    # The walk found the service's forms: the referral, the TTP's steps, the patient's pages.
    assert fuzzed >= 12, sorted(forms)
    assert not failures, "\n".join(failures)


def test_a_refused_referral_writes_nothing(client, gp, service):
    # The check the fuzzing relies on, shown once on a known refusal.
    client.force_login(gp)
    before = row_counts()

    response = client.post("/gp/refer/", {"nhs_number": "a\x00b", "given_name": SCRIPT})

    assert refused(response)
    assert SCRIPT not in response.content.decode()
    assert row_counts() == before
