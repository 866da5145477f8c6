"""Two submissions of the same form at the same moment still make one referral."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pathway.referrals.models import Referral
from tests.referral_data import referral_post

pytestmark = pytest.mark.postgres


def test_simultaneous_double_submission_creates_one_referral(
    transactional_db, gp, practice, service
):
    data = referral_post(practice=practice)
    barrier = threading.Barrier(2)
    statuses = []

    def submit():
        client = Client()
        client.force_login(gp)
        barrier.wait()
        try:
            statuses.append(client.post(reverse("referrals:new"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302, 302]
    assert Referral.objects.count() == 1
