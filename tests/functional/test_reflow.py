"""Main pages reflow to one column: on a 360-pixel phone and at 400% zoom (WCAG 1.4.10: a
1280 CSS pixel window zoomed to 400% is 320 CSS pixels wide). Nothing scrolls sideways except a
data table inside its own scrolling container, which the criterion allows."""

import pytest

from pathway.demo import care as demo_care
from pathway.proms.links import create_link
from pathway.proms.schedule import open_due_timepoints
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

# CSS pixels decide the layout; the device pixel ratio only sharpens it, so one browser window
# resized between the two sizes checks both.
SCREENS = {
    "phone-360": {"width": 360, "height": 740},
    "zoom-400": {"width": 320, "height": 256},
}

# Tables either stack (NHS.UK responsive table) or scroll in their own container.
SIDEWAYS = """() => {
    const root = document.documentElement;
    const problems = [];
    if (root.scrollWidth > root.clientWidth + 1) {
        problems.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
        // Name the innermost elements that stick out, to say what to fix.
        const out = [...document.body.querySelectorAll('*')].filter(
            (el) => el.getBoundingClientRect().right > root.clientWidth + 1);
        const innermost = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
        for (const el of innermost.slice(0, 3)) {
            problems.push(`sticks out: ${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
                + ` "${(el.innerText || '').slice(0, 40)}"`);
        }
    }
    for (const table of document.querySelectorAll('table')) {
        if (table.classList.contains('nhsuk-table-responsive')) continue;
        let box = table.parentElement, contained = false;
        while (box && box !== document.body) {
            const overflow = getComputedStyle(box).overflowX;
            if (overflow === 'auto' || overflow === 'scroll') { contained = true; break; }
            box = box.parentElement;
        }
        if (!contained && table.getBoundingClientRect().width > root.clientWidth + 1) {
            problems.push(`a table (${table.caption ? table.caption.innerText : 'no caption'})`
                + ' is wider than the window and not in a scrolling container');
        }
    }
    return problems;
}"""


def signed_in(browser, live_server, user):
    context = browser.new_context(viewport=SCREENS["phone-360"])
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    page = context.new_page()
    if user:
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return context, page


def sideways_scrolling(page):
    found = {}
    for screen, size in SCREENS.items():
        if page.viewport_size != size:
            page.set_viewport_size(size)
            # The NHS.UK header fits its menu to the width on load; a resize re-fits it a
            # little later, so load the page again rather than race that.
            page.reload()
        found[screen] = page.evaluate(SIDEWAYS)
    page.set_viewport_size(SCREENS["phone-360"])
    return {screen: problems for screen, problems in found.items() if problems}


def test_main_pages_need_no_sideways_scrolling(
    browser, live_server, make_episode, gp, ttp, manager
):
    episode = make_episode()
    demo_care.assess_and_triage(episode, ttp, days=-3, outcome="core_therapy")
    demo_care.therapy_sessions(episode, ttp, days=[-2, -1])
    other = make_episode()
    open_due_timepoints()
    token, _ = create_link(timepoint=other.prom_timepoints.get(timepoint="baseline"))
    pages = [
        (gp, ["/gp/", "/gp/refer/", f"/gp/referrals/{episode.referral.public_id}/"]),
        (ttp, ["/ttp/", "/ttp/triage/", f"/ttp/episodes/{episode.public_id}/"]),
        (manager, ["/manager/", "/manager/waiting-list/", "/manager/outcomes/"]),
    ]
    problems = {}
    for user, paths in pages:
        context, page = signed_in(browser, live_server, user)
        for path in paths:
            page.goto(live_server.url + path)
            problems[f"{user.role} {path}"] = sideways_scrolling(page)
        context.close()
    context, page = signed_in(browser, live_server, None)
    page.goto(f"{live_server.url}/q/{token}/")
    page.get_by_role("button", name="Continue").click()
    born = other.patient.date_of_birth
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/q/questionnaire/**")
    problems["patient questionnaire"] = sideways_scrolling(page)
    context.close()

    assert {where: found for where, found in problems.items() if found} == {}
    assert len(problems) == 10
