"""Proposing and changing ideas: phases, authors, points, hostile input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from quartier.accounts.models import AuditEvent
from quartier.participation import services
from quartier.participation.models import Idea
from quartier.participation.tests.support import close_phases, make_process
from quartier.places import geo


def form_data(quarter, **changes):
    lon, lat = geo.utm_to_lonlat(quarter.x + 50, quarter.y + 20)
    data = {"title": "Trinkbrunnen am Markt", "text": "Im Sommer fehlt Wasser.",
            "text_simple": "Wir wollen Wasser am Markt.", "category": "green",
            "location_text": "Marktplatz", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}",
            "image_alt": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_resident_proposes_an_idea_with_a_point_and_follows_it(client, process, resident):
    client.force_login(resident)
    response = client.post(f"/participation/{process.pk}/ideas/new/",
                           form_data(process.quarter))
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.author == resident and idea.text_simple == "Wir wollen Wasser am Markt."
    assert abs(idea.x - (process.quarter.x + 50)) < 0.1
    assert services.follows(resident, idea=idea)
    assert AuditEvent.objects.filter(action="participation.idea_proposed").exists()
    process.refresh_from_db()
    assert process.map_version == 1


def test_an_idea_without_the_map_is_fine(client, process, resident):
    client.force_login(resident)
    response = client.post(f"/participation/{process.pk}/ideas/new/",
                           form_data(process.quarter, lat="", lon=""))
    assert response.status_code == 302
    assert Idea.objects.get().x is None


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"text": "x" * 5001}, "text"),
    ({"category": "weapons"}, "category"),
    ({"lat": "48.0", "lon": "8.0"}, "lat"),        # far outside the quarter
    ({"lat": "91", "lon": "9"}, "lat"),
    ({"lat": "", "lon": "9.05"}, "lat"),
    ({"lat": "abc"}, "lat"),
    ({"homepage": "spam"}, "__all__"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_saved(client, process, resident, changes,
                                                             field):
    client.force_login(resident)
    response = client.post(f"/participation/{process.pk}/ideas/new/",
                           form_data(process.quarter, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert not Idea.objects.exists()


def test_html_in_every_field_is_shown_as_text(client, process, resident):
    hostile = '<script>alert("x")</script>'
    client.force_login(resident)
    client.post(f"/participation/{process.pk}/ideas/new/", form_data(
        process.quarter, title=hostile, text=hostile, text_simple=hostile, location_text=hostile))
    idea = Idea.objects.get()
    for url in (idea.get_absolute_url(), f"/participation/{process.pk}/ideas/",
                process.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url
    # JSON is data: served as GeoJSON, never sniffed as HTML; the map writes it as text.
    geojson = client.get(f"/participation/{process.pk}/ideas.geojson")
    assert geojson["Content-Type"] == "application/geo+json"
    assert geojson["X-Content-Type-Options"] == "nosniff"
    session = client.session
    session["participation_simple_language"] = True
    session.save()
    assert "<script>alert" not in client.get(idea.get_absolute_url()).content.decode()


def test_no_ideas_outside_the_ideas_phase(client, quarter, resident):
    process = make_process(quarter, phases=("discussion",))
    with pytest.raises(ValidationError):
        services.propose_idea(process, author=resident, title="Zu spät", text="x",
                              category="other")
    client.force_login(resident)
    response = client.post(f"/participation/{process.pk}/ideas/new/", form_data(quarter))
    assert response.status_code == 302 and response["Location"] == process.get_absolute_url()
    assert not Idea.objects.exists()


def test_the_author_changes_the_idea_only_while_ideas_are_collected(client, idea, resident,
                                                                   member):
    client.force_login(member)
    assert client.post(f"/participation/ideas/{idea.pk}/edit/",
                       form_data(idea.process.quarter, title="Fremd")).status_code == 403
    client.force_login(resident)
    response = client.post(f"/participation/ideas/{idea.pk}/edit/",
                           form_data(idea.process.quarter, title="Mehr Bänke und Bäume",
                                     lat="", lon="", remove_point="on"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Mehr Bänke und Bäume" and idea.edited_at and idea.x is None
    close_phases(idea.process)
    assert client.post(f"/participation/ideas/{idea.pk}/edit/",
                       form_data(idea.process.quarter, title="Später")).status_code == 403
    idea = Idea.objects.get(pk=idea.pk)
    with pytest.raises(ValidationError):
        services.change_idea(idea, actor=resident, title="Später")
    assert Idea.objects.get(pk=idea.pk).title == "Mehr Bänke und Bäume"


def test_nobody_but_the_author_changes_an_idea_through_the_service(idea, moderator,
                                                                  coordinator):
    for actor in (moderator, coordinator):
        with pytest.raises(PermissionDenied):
            services.change_idea(idea, actor=actor, title="Übernommen")


def test_the_rate_limit_stops_a_flood_of_ideas(process, resident, settings):
    settings.PARTICIPATION_RATE_LIMITS = {"idea": (2, 3600)}
    for number in range(2):
        services.propose_idea(process, author=resident, title=f"Idee {number}", text="x",
                              category="other")
    with pytest.raises(ValidationError):
        services.propose_idea(process, author=resident, title="Noch eine", text="x",
                              category="other")
    assert Idea.objects.count() == 2
