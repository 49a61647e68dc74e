"""PDF attachments: checked by content and size; served only to those who see the
application; refused with a clear message, nothing stored, otherwise."""

import pytest
from django.core.exceptions import ValidationError

from quartier.calls import services
from quartier.calls.models import Attachment
from quartier.calls.tests.support import PDF, fill, make_call, pdf


@pytest.fixture
def draft(db, tuebingen_org_, coordinator):
    return services.start_application(make_call(), tuebingen_org_, actor=coordinator)


def test_a_pdf_is_attached_under_a_random_name_with_its_hash(draft, coordinator):
    attachment = services.add_attachment(draft, pdf("../../etc/Konzept.pdf"), actor=coordinator)
    assert attachment.name == "Konzept.pdf"
    assert attachment.file.name.startswith("calls/") and attachment.file.name.endswith(".pdf")
    assert "Konzept" not in attachment.file.name
    assert len(attachment.sha256) == 64 and attachment.size_bytes == len(PDF)


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b"GIF89a" + PDF,
    b"%PDF-1.4 but never ends",
    b"",
])
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(draft, coordinator, data):
    with pytest.raises(ValidationError, match="not a PDF"):
        services.add_attachment(draft, pdf("konzept.pdf", data), actor=coordinator)
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(draft, coordinator, settings):
    settings.CALLS_ATTACHMENT_MAX_BYTES = 1024
    big = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"
    with pytest.raises(ValidationError, match="larger than"):
        services.add_attachment(draft, pdf("big.pdf", big), actor=coordinator)
    assert not Attachment.objects.exists()


def test_at_most_five_files_are_attached(draft, coordinator):
    for number in range(5):
        services.add_attachment(draft, pdf(f"{number}.pdf"), actor=coordinator)
    with pytest.raises(ValidationError, match="At most 5"):
        services.add_attachment(draft, pdf("6.pdf"), actor=coordinator)
    assert Attachment.objects.count() == 5


def test_files_are_part_of_the_receipt_and_fixed_after_submission(draft, coordinator):
    attachment = services.add_attachment(draft, pdf(), actor=coordinator)
    fill(draft)
    application = services.submit_application(draft, actor=coordinator)
    assert application.content["attachments"] == [
        {"name": "konzept.pdf", "size": len(PDF), "sha256": attachment.sha256}]
    with pytest.raises(ValidationError):
        services.remove_attachment(attachment, actor=coordinator)
    with pytest.raises(ValidationError):
        services.add_attachment(draft, pdf(), actor=coordinator)


def test_the_upload_page_shows_the_error_at_the_field(client, draft, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/calls/applications/{draft.pk}/edit/", {
        "attach": "", "title": "Noch nicht gespeichert", "costs-TOTAL_FORMS": "0",
        "costs-INITIAL_FORMS": "0", "file": pdf("x.pdf", b"MZ\x90\x00 an executable")})
    assert response.status_code == 400
    assert "not a PDF" in response.content.decode()
    assert not Attachment.objects.exists()
    # What was typed before attaching is kept.
    assert type(draft).objects.get(pk=draft.pk).title == "Noch nicht gespeichert"


def test_attaching_stores_the_file_and_what_was_typed(client, draft, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/calls/applications/{draft.pk}/edit/", {
        "attach": "", "title": "Mit Anlage", "costs-TOTAL_FORMS": "0",
        "costs-INITIAL_FORMS": "0", "file": pdf()})
    assert response.status_code == 302
    assert Attachment.objects.get().application == draft
    assert type(draft).objects.get(pk=draft.pk).title == "Mit Anlage"


def test_the_file_is_downloaded_by_the_applicant_and_nobody_else(
    client, draft, coordinator, other_coordinator, juror, resident
):
    attachment = services.add_attachment(draft, pdf(), actor=coordinator)
    client.force_login(coordinator)
    response = client.get(f"/calls/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    for user in (other_coordinator, juror, resident):
        client.force_login(user)
        assert client.get(f"/calls/attachments/{attachment.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/calls/attachments/{attachment.pk}/").status_code == 404
