import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

HOME_PAGES = {
    "gp": "/gp/",
    "ttp": "/ttp/",
    "manager": "/manager/",
    "administrator": "/administration/",
}


@pytest.mark.parametrize("role", HOME_PAGES)
def test_sign_in_lands_each_role_on_its_own_home_page(client, request, role):
    user = request.getfixturevalue(role)

    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == HOME_PAGES[role]
    assert response.status_code == 200
    assert user.get_role_display() in response.content.decode()


def test_sign_in_with_wrong_password_shows_error_summary_and_keeps_username(client, gp):
    response = client.post(reverse("login"), {"username": gp.username, "password": "wrong"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page
    assert f'value="{gp.username}"' in page
    assert "<title>Sign in - Error" in page


def test_sign_in_message_is_the_same_for_an_unknown_user(client, gp):
    known = client.post(reverse("login"), {"username": gp.username, "password": "wrong"})
    unknown = client.post(reverse("login"), {"username": "nobody-here", "password": "wrong"})

    def error_list(response):
        page = response.content.decode()
        start = page.index('<ul class="nhsuk-list nhsuk-error-summary__list">')
        return page[start : page.index("</ul>", start)]

    assert error_list(known) == error_list(unknown)


def test_empty_sign_in_names_each_missing_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    page = response.content.decode()
    assert 'href="#id_username"' in page
    assert 'href="#id_password"' in page


def test_pages_need_sign_in(client, db):
    response = client.get("/ttp/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_out_needs_post_and_ends_the_session(client, gp):
    client.force_login(gp)

    client.post(reverse("logout"))

    assert client.get("/gp/").status_code == 302


def test_password_reset_sends_a_link_only_to_a_known_address(client, gp):
    client.post(reverse("password_reset"), {"email": gp.email})
    client.post(reverse("password_reset"), {"email": "stranger@example.com"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [gp.email]
    assert "/account/reset/" in mail.outbox[0].body


def test_password_reset_page_does_not_reveal_whether_an_address_exists(client, gp):
    known = client.post(reverse("password_reset"), {"email": gp.email})
    unknown = client.post(reverse("password_reset"), {"email": "stranger@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


def test_password_change_refuses_a_short_password_and_says_why(client, gp):
    client.force_login(gp)

    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "too short" in page
