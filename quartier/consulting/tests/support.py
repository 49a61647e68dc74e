"""Helpers for the consulting tests: formats, profiles, requests and cases in a few lines.

Dates are fixed in the future (2031), so "not in the past" holds whenever the tests run;
services take `today` where the tests need another day.
"""

import importlib
import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_quarter
from quartier.budget import services as budget
from quartier.consulting import services
from quartier.consulting.models import ConsultantProfile, Format, Topic
from quartier.places.models import Place

TODAY = date(2031, 3, 3)  # a Monday
START = date(2031, 4, 1)
END = date(2031, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

def url(name, *args) -> str:
    return reverse(f"consulting:{name}", args=args)


def errors(response, field, form="form") -> list[str]:
    """The messages a page's form shows at a field."""
    return [str(e) for e in response.context[form].errors.get(field, [])]


ROLES = ["anonymous", "resident", "member", "coordinator", "other_coordinator",
         "county_coordinator", "moderator", "juror", "consultant", "staff"]


def seed_topics() -> dict[str, Topic]:
    """The topics the data migration seeds; transactional tests empty the database."""
    if not Topic.objects.exists():
        migration = importlib.import_module("quartier.consulting.migrations.0002_seed_topics")
        from django.apps import apps

        migration.seed(apps, None)
    return {t.slug: t for t in Topic.objects.all()}


def make_format(slug="fach-vor-ort", **fields) -> Format:
    seed_topics()
    defaults = dict(name_de="Fachberatung vor Ort", name_en="Expert consulting on site",
                    description_de="Beratung zu einem Thema.", kind="expert", usual_days=2,
                    delivery="either", day_rate_cents=100_000)
    defaults.update(fields)
    fmt = Format.objects.filter(slug=slug).first()
    return fmt or services.save_format(Format(slug=slug, **defaults), actor=None)


def make_line(amount_cents=1_000_000_00, code="0918-68401-2030", **fields):
    defaults = dict(title="Quartier – Beratung", first_year=2030, last_year=2031)
    defaults.update(fields)
    return budget.create_line(code=code, amount_cents=amount_cents, actor=None, **defaults)


def make_profile(user, *, home="08416041", levels=None, capacity=8, languages=("de",),
                 region=(), name=None, organisation=None) -> ConsultantProfile:
    topics = seed_topics()
    levels = levels or {"participation": 2, "age-care": 2, "process-start": 2}
    if organisation is None:
        organisation = user.memberships.first().organisation
    profile = ConsultantProfile(user=user, organisation=organisation,
                                name=name or user.email.split("@")[0],
                                home_base=Place.objects.get(ags=home), languages=list(languages),
                                capacity_days_per_month=capacity)
    return services.save_profile(
        profile, levels={topics[slug].pk: level for slug, level in levels.items()},
        region=Place.objects.filter(ags__in=region), conflicts=[], actor=None)


def organisation_of(user):
    return user.memberships.first().organisation


def make_request(user, quarter=None, *, topic="participation", fmt=None, mode="on_site",
                 earliest=START, latest=END, goals="Einen Treffpunkt aufbauen.", **fields):
    topics = seed_topics()
    organisation = fields.pop("organisation", None) or organisation_of(user)
    if quarter is None:
        quarter = make_quarter(organisation.place if organisation.kind == "kommune"
                               else Place.objects.get(ags="08416041"),
                               name=f"Quartier {organisation.pk}")
    return services.submit_request(
        organisation=organisation, quarters=[quarter], topic=topics[topic],
        format=fmt or make_format(), mode=mode, goals=goals, people="Stadtverwaltung",
        earliest=earliest, latest=latest, actor=user, today=fields.pop("today", TODAY),
        **fields)


def accepted_request(user, staff, **fields):
    request = make_request(user, **fields)
    return services.triage_request(request, "accept", actor=staff)


def make_case(user, staff, profile, *, line=None, days=None, **fields):
    request = accepted_request(user, staff, **fields)
    return services.assign_case(request, profile, actor=staff, budget_line=line or make_line(),
                                days=days, today=TODAY)


def pdf(name="protokoll.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def not_pdf(name="protokoll.pdf"):
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>",
                              content_type="application/pdf")


def big_pdf():
    body = PDF + b"0" * (services.DOCUMENT_MAX_BYTES + 1)
    return SimpleUploadedFile("gross.pdf", body, content_type="application/pdf")


def weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def buffer(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
