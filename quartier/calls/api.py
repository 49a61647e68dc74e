"""Open data of calls: published calls and, once decided, their awards."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from quartier.calls import services
from quartier.calls.models import Call

router = Router()
MAX_ID = 2**31 - 1


class CallOut(Schema):
    id: int
    title: str
    summary: str
    phase: str
    applicant_types: list[str]
    opens_at: datetime
    closes_at: datetime
    pot_cents: int
    min_award_cents: int
    max_award_cents: int
    allow_partial: bool
    min_awards_per_regierungsbezirk: int
    max_awards_per_kreis: int | None
    is_demo: bool
    url: str

    @staticmethod
    def resolve_applicant_types(call):
        return call.applicant_types()

    @staticmethod
    def resolve_url(call):
        return call.get_absolute_url()


class AwardOut(Schema):
    organisation: str
    organisation_type: str
    gemeinde_ags: str | None
    kreis_ags: str
    quarters: list[str]
    title: str
    summary: str
    amount_cents: int


class ResultsOut(Schema):
    call: int
    decided_at: datetime
    awards: list[AwardOut]
    total_cents: int
    organisations: int
    municipalities: int


def _decided(call_id: int) -> Call:
    return get_object_or_404(Call, pk=call_id, phase=Call.Phase.DECIDED)


@router.get("/calls", response=list[CallOut], summary="Published calls")
def calls(request):
    return list(Call.objects.visible().order_by("-closes_at", "pk"))


@router.get("/calls/{call_id}/results", response=ResultsOut,
            summary="Awards of a decided call",
            description="The standing awards (withdrawn ones are left out); 404 until decided.")
def results(request, call_id: Path[int]):
    call = _decided(min(max(call_id, 0), MAX_ID))
    outcome = services.results(call)
    return {
        "call": call.pk, "decided_at": call.decided_at, "total_cents": outcome.total_cents,
        "organisations": outcome.organisations, "municipalities": outcome.municipalities,
        "awards": [
            {"organisation": d.application.organisation.name,
             "organisation_type": d.application.organisation.kind,
             "gemeinde_ags": d.application.gemeinde.ags if d.application.gemeinde else None,
             "kreis_ags": d.application.kreis_ags,
             "quarters": [q.name for q in d.application.quarters.all()],
             "title": d.application.title, "summary": d.application.summary,
             "amount_cents": d.amount_cents}
            for d in outcome.awards
        ],
    }


@router.get("/calls/{call_id}/results.geojson", summary="Awards of a decided call as GeoJSON",
            description="Points (WGS84) at the Gemeinde of each standing award.")
def results_geojson(request, call_id: Path[int]):
    import json

    call = _decided(min(max(call_id, 0), MAX_ID))
    data = services.results_geojson(call, services.results(call))
    return HttpResponse(json.dumps(data, ensure_ascii=False),
                        content_type="application/geo+json")
