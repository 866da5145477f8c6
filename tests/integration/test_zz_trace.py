import sys, pytest
from django.urls import reverse
from tests.referral_data import referral_post

@pytest.mark.django_db
def test_trace(gp, practice, service, client, settings):
    client.force_login(gp)
    client.post(reverse("referrals:new"), referral_post(practice=practice, nhs_number="9990000026"))
    data = referral_post(practice=practice)
    calls = []
    def prof(frame, event, arg):
        if event != "call": return
        f = frame.f_code.co_filename
        n = frame.f_code.co_name
        if "/pathway/" in f and "/migrations/" not in f and not n.startswith("<"):
            calls.append((f.split("/pathway/",1)[1], n))
    sys.setprofile(prof)
    try:
        r = client.post(reverse("referrals:new"), data)
    finally:
        sys.setprofile(None)
    assert r.status_code == 302
    for c in calls:
        print("TRACE", c[0], c[1])
