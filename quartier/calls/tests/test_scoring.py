"""Jurors score the criteria of their assignments on the call's scale, with a comment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_org, make_user
from quartier.calls import services
from quartier.calls.models import Review, Score
from quartier.calls.tests.support import close, make_call, review, submitted


@pytest.fixture
def setup(db, tuebingen_org_, coordinator, juror):
    call = make_call()
    application = submitted(call, tuebingen_org_, actor=coordinator)
    services.set_jurors(call, [juror], actor=None)
    close(call)
    return call, application


def values(call, *scores, comment="Begründung"):
    return {c.pk: (s, comment) for c, s in zip(call.criteria.all(), scores, strict=True)}


def test_a_juror_scores_every_criterion_with_a_comment(setup, juror):
    call, application = setup
    assignment = review(application, juror, 8, 6)
    assert assignment.is_done()
    assert sorted(Score.objects.values_list("value", flat=True)) == [6, 8]


def test_scoring_again_replaces_the_scores_until_the_jury_closes(setup, juror):
    call, application = setup
    assignment = review(application, juror, 8, 6)
    services.score_review(assignment, values(call, 2, 3), actor=juror)
    assert sorted(Score.objects.values_list("value", flat=True)) == [2, 3]
    services.close_jury(call, actor=None)
    with pytest.raises(ValidationError, match="while the jury"):
        services.score_review(assignment, values(call, 9, 9), actor=juror)
    assert sorted(Score.objects.values_list("value", flat=True)) == [2, 3]


@pytest.mark.parametrize("scores", [(11, 5), (-1, 5), (5.5, 5), (True, 5)])
def test_a_score_outside_the_scale_is_refused_and_nothing_stored(setup, juror, scores):
    call, application = setup
    assignment = Review.objects.create(application=application, juror=juror)
    with pytest.raises(ValidationError) as error:
        services.score_review(assignment, values(call, *scores), actor=juror)
    assert "from 0 to 10" in str(error.value)
    assert not Score.objects.exists() and not Review.objects.get().is_done()


def test_a_missing_comment_or_criterion_is_refused(setup, juror):
    call, application = setup
    assignment = Review.objects.create(application=application, juror=juror)
    with pytest.raises(ValidationError) as error:
        services.score_review(assignment, values(call, 5, 5, comment=" "), actor=juror)
    assert any(key.startswith("comment_") for key in error.value.message_dict)
    first = call.criteria.first()
    with pytest.raises(ValidationError):
        services.score_review(assignment, {first.pk: (5, "x")}, actor=juror)
    assert not Score.objects.exists()


def test_nobody_scores_an_application_not_assigned_to_them(setup, juror):
    call, application = setup
    other = make_user("other-j@example.org", "jury_member", make_org("Jury", "association"),
                      second_factor=True)
    assignment = Review.objects.create(application=application, juror=juror)
    with pytest.raises(PermissionDenied, match="not assigned"):
        services.score_review(assignment, values(call, 5, 5), actor=other)
    assert not Score.objects.exists()


def test_the_score_page_refuses_out_of_scale_values_at_the_field(client, setup, juror):
    call, application = setup
    assignment = Review.objects.create(application=application, juror=juror)
    first, second = call.criteria.all()
    client.force_login(juror)
    page = client.get(f"/calls/reviews/{assignment.pk}/")
    assert page.status_code == 200 and "Generationentreff" in page.content.decode()
    response = client.post(f"/calls/reviews/{assignment.pk}/", {
        f"criterion_{first.pk}": "12", f"comment_{first.pk}": "zu gut",
        f"criterion_{second.pk}": "5", f"comment_{second.pk}": "ok"})
    assert response.status_code == 400
    assert "from 0 to 10" in response.content.decode()
    assert not Score.objects.exists()
    response = client.post(f"/calls/reviews/{assignment.pk}/", {
        f"criterion_{first.pk}": "9", f"comment_{first.pk}": "stark",
        f"criterion_{second.pk}": "5", f"comment_{second.pk}": "ok"})
    assert response.status_code == 302 and Score.objects.count() == 2


def test_another_jurors_review_page_does_not_exist_for_a_juror(client, setup, juror):
    call, application = setup
    other = make_user("other-j@example.org", "jury_member", make_org("Jury", "association"),
                      second_factor=True)
    assignment = Review.objects.create(application=application, juror=other)
    client.force_login(juror)
    assert client.get(f"/calls/reviews/{assignment.pk}/").status_code == 404
    first, second = call.criteria.all()
    response = client.post(f"/calls/reviews/{assignment.pk}/", {
        f"criterion_{first.pk}": "9", f"comment_{first.pk}": "x",
        f"criterion_{second.pk}": "9", f"comment_{second.pk}": "x"})
    assert response.status_code == 404 and not Score.objects.exists()


def test_other_jurors_scores_are_hidden_until_the_jury_is_closed(client, setup, juror):
    call, application = setup
    other = make_user("other-j@example.org", "jury_member", make_org("Jury", "association"),
                      second_factor=True)
    review(application, other, 3, 3, comment="Geheime Begründung")
    mine = review(application, juror, 8, 8)
    client.force_login(juror)
    assert "Geheime Begründung" not in client.get(f"/calls/reviews/{mine.pk}/").content.decode()
    services.close_jury(call, actor=None)
    assert "Geheime Begründung" in client.get(f"/calls/reviews/{mine.pk}/").content.decode()
