"""Every list of the calls module runs a fixed number of queries, however long it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_org, make_user
from quartier.calls import services
from quartier.calls.tests.support import close, make_call, review, submitted

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_applications(call, jury, count, start=0):
    """`count` scored, eligible applications from Kommunen in different Kreise."""
    from quartier.places.models import Place

    gemeinden = Place.objects.filter(kind="gemeinde").exclude(ags__startswith="08416").order_by(
        "ags")[start * 40:(start + count) * 40:40]
    applications = []
    for number, gemeinde in enumerate(gemeinden):
        organisation = make_org(f"Gemeinde {start}-{number}", "kommune", gemeinde.ags)
        coordinator = make_user(f"c{start}-{number}@example.org", "municipal_coordinator",
                                organisation)
        applications.append(submitted(call, organisation, actor=coordinator))
    return applications


@pytest.fixture
def jury(db):
    organisation = make_org("Jury e. V.", "association")
    return [make_user(f"j{n}@example.org", "jury_member", organisation, second_factor=True)
            for n in range(2)]


def test_the_staff_pages_of_a_call_do_not_grow_with_its_applications(client, staff, jury):
    call = make_call(pot_cents=1_000_000_00, max_award_cents=50_000_00)
    services.set_jurors(call, jury, actor=None)
    first = add_applications(call, jury, 2)
    close(call)
    for application in first:
        for juror in jury:
            review(application, juror, 5, 6)
    client.force_login(staff)
    pages = [f"/calls/{call.pk}/manage/", f"/calls/{call.pk}/jury/",
             f"/calls/{call.pk}/ranking/", f"/calls/applications/{first[0].pk}/"]
    few = {url: queries(client, url) for url in pages}
    call.closes_at = call.opens_at.replace(year=call.opens_at.year + 1)
    call.save(update_fields=["closes_at"])
    more = add_applications(call, jury, 6, start=2)
    close(call)
    for application in more:
        for juror in jury:
            review(application, juror, 7, 3)
    assert {url: queries(client, url) for url in pages} == few


def test_the_allocation_decision_and_results_do_not_grow(client, staff, jury):
    counts = []
    for size in (2, 7):
        call = make_call(pot_cents=1_000_000_00, max_award_cents=50_000_00,
                         title=f"Aufruf {size}")
        services.set_jurors(call, jury, actor=None)
        applications = add_applications(call, jury, size, start=size)
        close(call)
        for application in applications:
            for juror in jury:
                review(application, juror, 6, 6)
        services.close_jury(call, actor=None)
        run = services.compute_allocation(call, actor=staff)
        client.force_login(staff)
        allocation = queries(client, f"/calls/{call.pk}/allocation/")
        decide = queries(client, f"/calls/{call.pk}/decide/")
        services.decide_call(call, run, base_method="list",
                             amounts={int(k): v for k, v in run.list_result["awards"].items()},
                             reasons={}, actor=staff, notify=False)
        client.logout()
        results = [queries(client, f"/calls/{call.pk}/results/"),
                   queries(client, f"/calls/{call.pk}/results.csv"),
                   queries(client, f"/calls/{call.pk}/results.geojson")]
        counts.append((allocation, decide, results))
    assert counts[0] == counts[1]


def test_the_lists_of_calls_applications_and_reviews_do_not_grow(client, coordinator, juror):
    from quartier.accounts.models import Organisation

    tue = Organisation.objects.get(name="Stadt Tübingen")
    counts = []
    for size in (1, 4):
        for number in range(size):
            call = make_call(title=f"Aufruf {size}-{number}")
            application = submitted(call, tue, actor=coordinator)
            services.set_jurors(call, [juror], actor=None)
            close(call)
            review(application, juror)
        client.force_login(coordinator)
        listing, mine = queries(client, "/calls/"), queries(client, "/calls/mine/")
        client.force_login(juror)
        counts.append((listing, mine, queries(client, "/calls/reviews/")))
    assert counts[0] == counts[1]
