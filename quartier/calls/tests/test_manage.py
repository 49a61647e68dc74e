"""The staff's page of a call counts submitted applications and drafts apart."""

import re

import pytest

from quartier.calls.tests.support import make_world

pytestmark = pytest.mark.django_db


def test_the_figures_count_submitted_applications_and_drafts_apart(
    client, coordinator, other_coordinator, juror, staff
):
    world = make_world(coordinator=coordinator, other_coordinator=other_coordinator,
                       juror=juror, staff=staff)
    client.force_login(staff)
    page = client.get(f"/calls/{world.open_call.pk}/manage/").content.decode()
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert figures["Submitted"] == "1" and figures["Drafts"] == "1"
