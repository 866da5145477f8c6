"""The axe check the journeys rely on finds a serious violation when there is one, also on a
page served under the service's Content-Security-Policy."""

import pytest

from tests.functional.accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_axe_check_fails_on_a_served_page_with_an_unlabelled_control(page, live_server, db):
    page.goto(f"{live_server.url}/sign-in/")
    assert "script-src 'self'" in (
        page.context.request.get(f"{live_server.url}/sign-in/").headers.get(
            "content-security-policy", ""
        )
    )
    assert_accessible(page, "sign in")  # the page as served passes

    page.evaluate("document.querySelector('label[for=id_username]').remove()")

    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page, "sign in without a label")
