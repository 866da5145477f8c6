"""One person's browser tab in a journey.

Every page the tab reaches through these helpers is checked with axe (accessibility.py), so a
journey cannot visit a page without checking it; the main pages are also saved as screenshots
(SCREENSHOT_DIR, default var/screenshots/) for the README and for looking at the design.
"""

import os
import re
from pathlib import Path

from django.conf import settings

from tests.factories import TEST_PASSWORD
from tests.functional.accessibility import assert_accessible

DESKTOP = {"width": 1024, "height": 800}
PHONE = {"width": 360, "height": 740}
CHECKED: dict[str, set[str]] = {}
LINK = re.compile(r"https?://\S+/q/[\w-]+/")


def screenshot_dir():
    return Path(os.environ.get("SCREENSHOT_DIR") or settings.BASE_DIR / "var" / "screenshots")


class Tab:
    def __init__(self, browser, base_url, who, viewport=DESKTOP):
        self.context = browser.new_context(viewport=viewport)
        # The NHS.UK font host is unreachable here: fail its requests at once, so text shows in
        # the fallback font straight away instead of after the browser's font timeout.
        self.context.route("https://assets.nhs.uk/**", lambda route: route.abort())
        self.page = self.context.new_page()
        self.base_url = base_url
        self.who = who
        # Page states already checked this session, by role: a journey repeating a page that
        # another journey has checked does not pay for axe again (it takes seconds a page).
        self.checked = CHECKED.setdefault(who, set())

    def close(self):
        self.context.close()

    # --- moving about: each of these ends with the axe check of the page reached
    def goto(self, path, name):
        self.page.goto(self.base_url + path)
        return self.arrived(name)

    def follow(self, link, name, exact=True):
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link, exact=exact).first.click()
        return self.arrived(name)

    def press(self, button, name, exact=True):
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=exact).first.click()
        return self.arrived(name)

    def arrived(self, name):
        """Check the page now shown, once per page state the journey names."""
        if name not in self.checked:
            self.checked.add(name)
            assert_accessible(self.page, f"{self.who}: {name}")
        return self.page

    def sign_in(self, user, password=TEST_PASSWORD):
        self.goto("/sign-in/", "sign in")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(password)
        return self.press("Sign in", "home page")

    # --- pictures
    def screenshot(self, filename, full_page=False):
        folder = screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(folder / filename), full_page=full_page)

    # --- reading the page
    def heading(self):
        return self.page.get_by_role("heading", level=1).inner_text()

    def test_id(self, test_id):
        return self.page.get_by_test_id(test_id)


def link_in(mail):
    """The questionnaire link in a message the patient received."""
    match = LINK.search(mail.body)
    assert match, f"no questionnaire link in: {mail.body!r}"
    return match.group(0)
