"""Following one GP referral from the web form to its sent invitation (issue 16's measure).

Traced, not read: every call into the pathway's domain apps (referrals, care, proms,
messaging) while the GP submits the form and the worker sends the questionnaire invitation.
The pure rules (pathway.clinical) and the platform (audit, accounts, core) are left out: a
reader treats them as libraries.

A "place" is a function one app is entered by: the door (the view, the worker's task) or a
call from another app. A "return" is a call into a file, or an app, that is still open further
down the call stack: the reader would have to go back to something they had left.
"""

import sys

import pytest
from django.core import mail
from django.urls import reverse

from pathway.messaging.models import MessageKind, OutboundMessage
from pathway.messaging.tasks import send_messages
from tests.referral_data import referral_post

DOMAIN = ("/pathway/referrals/", "/pathway/care/", "/pathway/proms/", "/pathway/messaging/")
MOST_PLACES = 12


def _file(frame):
    path = frame.f_code.co_filename if frame else ""
    return path.split("/pathway/", 1)[1] if any(part in path for part in DOMAIN) else None


def _app(path):
    return path.split("/", 1)[0]


def _crossings(do):
    """[(caller's file, file, function, returning)] for each call into one of the domain files
    from another file (the caller is None at a door); returning: the file, or its app, is
    still open further down the stack."""
    crossings, stack = [], []

    def profile(frame, event, _arg):
        name = frame.f_code.co_name
        # Class bodies (a template library loading) and comprehensions are not places.
        if event not in {"call", "return"} or name.startswith("<") or name[0].isupper():
            return
        here = _file(frame)
        if here is None:
            return
        if event == "return":
            stack.pop()
            return
        caller = stack[-1] if stack else None
        if here != caller:
            left_apps = {_app(path) for path in stack if path and _app(path) != _app(here)}
            open_apps = {_app(path) for path in stack} - {_app(caller or here)}
            returning = here in stack or _app(here) in open_apps & left_apps
            crossings.append((caller, here, name, returning))
        stack.append(here)

    sys.setprofile(profile)
    try:
        do()
    finally:
        sys.setprofile(None)
    return crossings


@pytest.mark.django_db
def test_a_referral_reaches_its_sent_invitation_in_few_places_without_turning_back(
    client, gp, practice, service, django_capture_on_commit_callbacks
):
    client.force_login(gp)
    # Once first, so the trace is the path and not modules loading.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:new"), referral_post(practice=practice, nhs_number="9990000026")
        )
    mail.outbox.clear()

    def refer_and_send():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("referrals:new"), referral_post(practice=practice))
        assert response.status_code == 302
        # What the worker does with the due invitation (the outbox sweep hands it the ids).
        invitation = OutboundMessage.objects.get(
            kind=MessageKind.PROM_INVITATION, patient__nhs_number="9990000018"
        )
        send_messages([invitation.pk])

    crossings = _crossings(refer_and_send)
    files = list(dict.fromkeys(path for _caller, path, *_ in crossings))
    places = list(
        dict.fromkeys(
            (path, name)
            for caller, path, name, _returning in crossings
            if caller is None or _app(caller) != _app(path)
        )
    )
    returns = [(path, name) for _caller, path, name, returning in crossings if returning]

    print(f"{len(places)} places in {len(files)} files:")
    print("\n".join(f"  {path}::{name}" for path, name in places))
    assert places, "nothing traced"
    assert len(mail.outbox) == 1  # the invitation was sent
    assert len(places) < MOST_PLACES, places
    assert not returns, returns
