import pytest

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/sign-in/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_contain_no_inline_script(client, gp):
    client.force_login(gp)

    page = client.get("/gp/").content.decode()

    for tag in page.split("<script")[1:]:
        assert "src=" in tag.split(">")[0]


def test_signed_in_pages_are_never_stored_by_the_browser(client, ttp, episode):
    client.force_login(ttp)

    for url in (
        "/ttp/",
        f"/ttp/episodes/{episode.public_id}/",
        f"/patients/{episode.patient.public_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store, private"


def test_public_pages_keep_their_own_caching(client):
    response = client.get("/advice/back-and-neck-pain/")

    assert "no-store" not in response.get("Cache-Control", "")
