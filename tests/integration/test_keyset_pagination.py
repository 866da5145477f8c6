"""Long lists page by keyset: next and previous links walk the list in order, none lost."""

import html
import re
from urllib.parse import unquote

import pytest

from pathway.care import lists
from pathway.core.keyset import read_cursor
from pathway.referrals import views as referral_views

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="\?(?:[^"]*&amp;)?cursor=([^"]+)" rel="next"')
PREVIOUS = re.compile(r'href="\?(?:[^"]*&amp;)?cursor=([^"]+)" rel="prev"')


def _cursor(pattern, page):
    match = pattern.search(page)
    return unquote(html.unescape(match.group(1))) if match else None


def _ids(page, attribute):
    return re.findall(rf'{attribute}="([0-9a-f-]+)"', page)


def test_gp_list_pages_newest_first_and_back(client, gp, make_episode, monkeypatch):
    monkeypatch.setattr(referral_views, "GP_LIST_PAGE_SIZE", 2)
    episodes = [make_episode() for _ in range(3)]  # made in order: the last is the newest
    client.force_login(gp)

    first = client.get("/gp/").content.decode()
    after = _cursor(NEXT, first)
    second = client.get("/gp/", {"cursor": after}).content.decode()
    back = client.get("/gp/", {"cursor": _cursor(PREVIOUS, second)}).content.decode()

    referral_ids = [str(e.referral.public_id) for e in reversed(episodes)]
    listed = re.findall(r"/gp/referrals/([0-9a-f-]+)/", first)
    assert listed == referral_ids[:2]
    assert re.findall(r"/gp/referrals/([0-9a-f-]+)/", second) == referral_ids[2:]
    assert _cursor(NEXT, second) is None
    assert re.findall(r"/gp/referrals/([0-9a-f-]+)/", back) == referral_ids[:2]
    assert _cursor(PREVIOUS, back) is None


def test_triage_queue_pages_keep_the_filters_and_the_order(client, ttp, make_episode, monkeypatch):
    monkeypatch.setattr(lists, "QUEUE_PAGE_SIZE", 2)
    episodes = [make_episode() for _ in range(3)]
    client.force_login(ttp)

    first = client.get("/ttp/triage/", {"sort": "newest"}).content.decode()
    assert 'href="?sort=newest&amp;cursor=' in first
    second = client.get(
        "/ttp/triage/", {"sort": "newest", "cursor": _cursor(NEXT, first)}
    ).content.decode()

    newest_first = [str(e.public_id) for e in reversed(episodes)]
    assert _ids(first, "data-episode") == newest_first[:2]
    assert _ids(second, "data-episode") == newest_first[2:]
    assert "3 referrals waiting for triage" in second


def test_an_edited_cursor_is_ignored_and_shows_the_first_page(client, gp, make_episode):
    make_episode()
    client.force_login(gp)

    response = client.get("/gp/", {"cursor": "not-a-signed-cursor"})

    assert response.status_code == 200
    assert read_cursor("not-a-signed-cursor", referral_views.GP_LIST_KEYS) is None
