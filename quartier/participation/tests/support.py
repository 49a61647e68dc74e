"""Helpers for the participation tests: processes with open phases, ideas, polls, meetings."""

from datetime import timedelta

from django.utils import timezone

from quartier.participation.models import Idea, Meeting, Phase, Poll, PollOption, Process

DAY = timedelta(days=1)


def make_process(quarter, *, phases=("ideas",), status="published", participants="registered",
                 **fields) -> Process:
    """A process whose given phases are open now (each from yesterday to in ten days)."""
    now = timezone.now()
    defaults = dict(title="Neue Mitte Südstadt", goal="Wie soll der Platz aussehen?",
                    open_for_decision="Die Gestaltung des Platzes.",
                    not_open_for_decision="Die Verkehrsführung.")
    defaults.update(fields)
    process = Process.objects.create(quarter=quarter, status=status, participants=participants,
                                     **defaults)
    for kind in phases:
        Phase.objects.create(process=process, kind=kind, starts_at=now - DAY,
                             ends_at=now + 10 * DAY)
    return process


def close_phases(process) -> None:
    now = timezone.now()
    process.phases.update(starts_at=now - 20 * DAY, ends_at=now - DAY)
    process.__dict__.pop("phase_list", None)


def make_idea(process, author=None, **fields) -> Idea:
    defaults = dict(title="Mehr Bänke", text="Bänke im Schatten für alle Generationen.",
                    category="meeting_places")
    defaults.update(fields)
    return Idea.objects.create(process=process, author=author, **defaults)


def make_poll(process, *, kind="single", options=("Ja", "Nein", "Weiß nicht"), **fields) -> Poll:
    phase = process.phases.filter(kind="poll").first()
    if phase is None:
        now = timezone.now()
        phase = Phase.objects.create(process=process, kind="poll", starts_at=now - DAY,
                                     ends_at=now + 10 * DAY)
    poll = Poll.objects.create(process=process, phase=phase, kind=kind,
                               question=fields.pop("question", "Brunnen oder Baum?"), **fields)
    for position, text in enumerate(options):
        PollOption.objects.create(poll=poll, text=text, position=position)
    return poll


def make_meeting(process, *, capacity=None, **fields) -> Meeting:
    now = timezone.now()
    defaults = dict(title="Stadtteilgespräch", starts_at=now + 3 * DAY,
                    ends_at=now + 3 * DAY + timedelta(hours=2), venue="Bürgerhaus",
                    address="Marktplatz 1, 72070 Tübingen", step_free=True)
    defaults.update(fields)
    return Meeting.objects.create(process=process, capacity=capacity, **defaults)
