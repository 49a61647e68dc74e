"""Demo participation: processes, ideas, comments, support, polls and meetings in a handful of
quarters, marked is_demo; and make_big_process for the benchmark (10,000 ideas, 100,000
comments in seconds, with bulk_create).

Deterministic for a seed. Demo participants have addresses under demo.quartier.invalid.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

import shapely
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from quartier import formats
from quartier.accounts.models import User
from quartier.participation.models import (
    Category,
    Comment,
    Idea,
    Meeting,
    ParticipantSettings,
    Phase,
    Poll,
    PollOption,
    PollParticipation,
    Process,
    Registration,
    Support,
)
from quartier.places import geo
from quartier.places.models import Quarter
from quartier.places.services import Progress, no_progress

# The Gemeinden of the demo accounts first, then large cities: a handful of quarters.
DEMO_GEMEINDEN = ("08416041", "08421000", "08111000", "08311000", "08222000")
DEMO_DOMAIN = "demo.quartier.invalid"
FIRST_NAMES = ("Anna", "Mehmet", "Lena", "Jonas", "Sofia", "Elif", "Paul", "Marie", "Ahmad",
               "Greta", "Luca", "Hannelore", "Karl", "Aylin", "Tobias", "Irina")
IDEAS = [
    ("Mehr Bänke im Schatten", "meeting_places",
     "Auf dem Weg zum Markt gibt es kaum Bänke. Ältere Menschen müssen unterwegs Pause machen "
     "können, am besten im Schatten der Bäume.",
     "Wir wünschen uns mehr Bänke. Die Bänke sollen im Schatten stehen."),
    ("Trinkbrunnen am Spielplatz", "green",
     "Im Sommer ist es heiß. Ein Trinkbrunnen am Spielplatz hilft Kindern und Eltern.", ""),
    ("Absenkung der Bordsteine", "accessibility",
     "An der Kreuzung beim Bäcker sind die Bordsteine zu hoch für Rollstühle und Rollatoren.",
     "Die Bordsteine sind zu hoch. Mit dem Rollstuhl kommt man nicht gut über die Straße."),
    ("Offener Bücherschrank", "culture",
     "Ein Bücherschrank zum Tauschen, vielleicht in der alten Telefonzelle.", ""),
    ("Jugendtreff am Abend", "children_youth",
     "Jugendliche brauchen einen Ort, an dem sie abends sein dürfen, ohne zu stören.", ""),
    ("Nachbarschaftshilfe für Einkäufe", "neighbourhood_help",
     "Eine Liste, wer für wen einkaufen geht – für alle, die nicht mehr gut laufen können.",
     "Wer nicht gut laufen kann, bekommt Hilfe beim Einkaufen."),
    ("Sicherer Schulweg", "mobility",
     "Der Zebrastreifen an der Hauptstraße ist schlecht beleuchtet.", ""),
    ("Gemeinschaftsgarten", "green",
     "Auf der Brachfläche hinter der Schule könnten wir gemeinsam gärtnern.", ""),
    ("Sitzgruppe für Senioren", "older_people",
     "Eine überdachte Sitzgruppe mit Tisch, zum Karten spielen und Reden.", ""),
    ("Beleuchtung im Park", "mobility",
     "Abends ist der Weg durch den Park dunkel; viele gehen deshalb einen Umweg.", ""),
    ("Stadtteilfest im Sommer", "culture",
     "Ein Fest für alle Generationen, mit Musik von den Vereinen im Quartier.", ""),
    ("Toilette am Marktplatz", "accessibility",
     "Es fehlt eine öffentliche, barrierefreie Toilette am Marktplatz.", ""),
]
COMMENTS = ["Gute Idee, unterstütze ich!", "Das wäre auch für Kinderwagen gut.",
            "Wer kümmert sich um die Pflege?", "Ich helfe gerne mit.",
            "Gibt es dafür schon einen Ort?", "Bitte auch an Menschen mit Sehbehinderung denken.",
            "Das wünsche ich mir schon lange.", "Vielleicht kann der Verein das übernehmen?"]
REPLIES = ["Genau!", "Die Stadt prüft das gerade.", "Da bin ich dabei.",
           "Ein guter Hinweis, danke.", "Das sehe ich anders, aber lass uns reden."]
ANSWERS = {
    "accepted": "Wir setzen die Idee im kommenden Frühjahr um. Danke!",
    "implemented": "Erledigt: seit Mai ist es fertig.",
    "not_feasible": "Die Fläche gehört nicht der Gemeinde; wir suchen eine andere Lösung.",
    "under_review": "Die Verwaltung prüft Kosten und Ort.",
}


def _participants(count: int) -> list[User]:
    """Demo participants with public names; created once, found again by address."""
    users = []
    for number in range(count):
        email = f"teilnehmer-{number + 1}@{DEMO_DOMAIN}"
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {chr(65 + number % 26)}."
            ParticipantSettings.objects.create(user=user, public_name=name, by_email=False)
        users.append(user)
    return users


def demo_quarters(limit: int = 5) -> list[Quarter]:
    quarters = []
    for ags in DEMO_GEMEINDEN:
        quarter = (Quarter.objects.published().filter(gemeinde__ags=ags)
                   .select_related("gemeinde").order_by("name").first())
        if quarter is not None:
            quarters.append(quarter)
    return quarters[:limit]


def _points_in(quarter: Quarter, count: int, rng: random.Random) -> list[tuple[float, float]]:
    """count points inside the quarter's boundary (EPSG:25832), deterministic for rng."""
    boundary = geo.loads(quarter.boundary) if quarter.boundary else None
    if boundary is None or boundary.is_empty:
        return [(quarter.x + rng.uniform(-200, 200), quarter.y + rng.uniform(-200, 200))
                for _ in range(count)]
    import numpy as np

    generator = np.random.default_rng(rng.randrange(2**32))
    minx, miny, maxx, maxy = boundary.bounds
    points: list[tuple[float, float]] = []
    for _round in range(20):
        if len(points) >= count:
            break
        xs = generator.uniform(minx, maxx, 2 * count)
        ys = generator.uniform(miny, maxy, 2 * count)
        inside = shapely.contains_xy(boundary, xs, ys)
        points += list(zip(xs[inside].round(2).tolist(), ys[inside].round(2).tolist(),
                           strict=True))
    points = points[:count]
    while len(points) < count:
        points.append((quarter.x, quarter.y))
    return points


def generate_demo(*, seed: int = 2018, progress: Progress = no_progress) -> int:
    """Demo processes for a handful of quarters; nothing when demo processes exist. Returns
    the number of processes created."""
    if Process.objects.filter(is_demo=True).exists():
        progress(gettext("Demo participation exists already."))
        return 0
    quarters = demo_quarters()
    if not quarters:
        progress(gettext("No published quarters in the demo Gemeinden; run demo-quarters first."))
        return 0
    with transaction.atomic():
        people = _participants(16)
        resident = User.objects.filter(username="resident@demo.quartier.invalid").first()
        if resident is not None:
            people[0] = resident
        created = 0
        for number, quarter in enumerate(quarters):
            rng = random.Random(f"{seed}:{quarter.pk}")
            _open_process(quarter, people, rng, with_poll=number == 0)
            _finished_process(quarter, people, rng)
            created += 2
            progress(gettext("Demo participation in %(quarter)s (%(gemeinde)s).")
                     % {"quarter": quarter.name, "gemeinde": quarter.gemeinde.name})
    return created


def _phase(process, kind, start, end, description="", budget=None):
    return Phase.objects.create(process=process, kind=kind, starts_at=start, ends_at=end,
                                description=description, budget=budget)


def _open_process(quarter, people, rng, *, with_poll: bool) -> Process:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    process = Process.objects.create(
        quarter=quarter, is_demo=True, status=Process.Status.PUBLISHED,
        title=f"Unser {quarter.name}: Ideen für den Platz",
        goal="Der Platz in der Mitte des Quartiers wird neu gestaltet. Was brauchen Jung und Alt "
             "dort, damit man sich gerne trifft?",
        open_for_decision="Möblierung, Begrünung, Spielgeräte und Angebote auf dem Platz.",
        not_open_for_decision="Die Verkehrsführung und der Bebauungsplan.",
        summary_simple="Der Platz wird neu gemacht. Sie können Ideen sagen. "
                       "Alle können mitmachen.",
        created_at=now - 20 * day,
    )
    _phase(process, "information", now - 20 * day, now - 10 * day,
           "Auftakt mit Rundgang über den Platz.")
    _phase(process, "ideas", now - 10 * day, now + 20 * day, "Ideen sammeln, online und vor Ort.")
    _phase(process, "discussion", now + 20 * day, now + 35 * day)
    poll_phase = _phase(process, "poll", now - 2 * day if with_poll else now + 35 * day,
                        now + 45 * day)
    budget = _first_budget(quarter)
    if budget is not None:
        _phase(process, "budget", now + 45 * day, now + 75 * day,
               "Über das Quartiersbudget stimmen die Bewohnerinnen und Bewohner ab.", budget)
    _phase(process, "result", now + 75 * day, now + 120 * day)
    ideas = _ideas(process, people, rng, count=rng.randint(8, 12), answered=False)
    _comments(ideas, people, rng)
    _supports(ideas, people, rng)
    poll = Poll.objects.create(
        process=process, phase=poll_phase, is_demo=True, kind=Poll.Kind.SINGLE,
        question="Was soll in die Mitte des Platzes?",
        description="Die drei häufigsten Wünsche aus dem Auftakt.",
        description_simple="Was soll in die Mitte? Sie können eine Antwort wählen.",
        allow_free_text=True, free_text_label="Was fehlt Ihnen noch?",
    )
    options = PollOption.objects.bulk_create([
        PollOption(poll=poll, text=text, position=n)
        for n, text in enumerate(["Ein Brunnen", "Ein großer Baum", "Eine Bühne"])
    ])
    if with_poll:
        voters = people[1:9]
        PollParticipation.objects.bulk_create([PollParticipation(poll=poll, user=u)
                                               for u in voters])
        for voter_number, _voter in enumerate(voters):
            option = options[voter_number % 3 if voter_number % 4 else 0]
            option.vote_count += 1
        PollOption.objects.bulk_update(options, ["vote_count"])
        Poll.objects.filter(pk=poll.pk).update(participant_count=len(voters))
    meeting = Meeting.objects.create(
        process=process, is_demo=True, title="Planungswerkstatt auf dem Platz",
        description="Wir zeichnen die Ideen gemeinsam in den Plan. Für Kinder gibt es eine "
                    "Malecke.",
        description_simple="Wir treffen uns auf dem Platz. Wir planen zusammen.",
        starts_at=now + 7 * day + timedelta(hours=17), ends_at=now + 7 * day + timedelta(hours=19),
        venue="Bürgerhaus am Platz", address=f"Marktplatz 1, {quarter.gemeinde.name}",
        step_free=True, accessible_toilet=True, hearing_loop=True,
        accessibility="Gebärdensprachdolmetschung bitte bis eine Woche vorher anmelden.",
        online_url="https://meet.example/planungswerkstatt", capacity=6,
    )
    Registration.objects.bulk_create([
        Registration(meeting=meeting, user=user, status=Registration.Status.CONFIRMED,
                     created_at=now - (10 - n) * timedelta(hours=3))
        for n, user in enumerate(people[2:6])
    ])
    return process


def _finished_process(quarter, people, rng) -> Process:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    process = Process.objects.create(
        quarter=quarter, is_demo=True, status=Process.Status.PUBLISHED,
        title=f"Barrierefreies {quarter.name}",
        goal="Wo kommt man mit Rollstuhl, Rollator oder Kinderwagen nicht weiter? Gemeinsam "
             "haben wir die Hindernisse im Quartier gesammelt.",
        open_for_decision="Welche Hindernisse zuerst beseitigt werden.",
        not_open_for_decision="Umbauten an privaten Gebäuden.",
        result="Zwölf Bordsteine wurden abgesenkt, zwei Ampeln haben jetzt Signale für blinde "
               "Menschen. Die Toilette am Marktplatz wird im nächsten Haushalt beantragt.",
        result_simple="Zwölf Bordsteine sind jetzt niedrig. Zwei Ampeln piepen für blinde "
                      "Menschen.",
        created_at=now - 200 * day,
    )
    _phase(process, "information", now - 200 * day, now - 180 * day)
    _phase(process, "ideas", now - 180 * day, now - 150 * day)
    poll_phase = _phase(process, "poll", now - 150 * day, now - 140 * day)
    _phase(process, "result", now - 140 * day, now + 200 * day)
    ideas = _ideas(process, people, rng, count=6, answered=True, offset=-170)
    _comments(ideas, people, rng)
    _supports(ideas, people, rng)
    poll = Poll.objects.create(process=process, phase=poll_phase, is_demo=True,
                               kind=Poll.Kind.MULTIPLE, max_choices=2,
                               question="Was soll zuerst umgebaut werden?")
    options = [PollOption(poll=poll, text=text, position=n, vote_count=votes)
               for n, (text, votes) in enumerate([("Bordsteine", 9), ("Ampeln", 6),
                                                   ("Toilette", 4)])]
    PollOption.objects.bulk_create(options)
    PollParticipation.objects.bulk_create([PollParticipation(poll=poll, user=u)
                                           for u in people[:10]])
    Poll.objects.filter(pk=poll.pk).update(participant_count=10)
    Meeting.objects.create(
        process=process, is_demo=True, title="Rundgang mit dem Behindertenbeirat",
        starts_at=now - 175 * day, ends_at=now - 175 * day + timedelta(hours=2),
        venue="Treffpunkt Rathaus", step_free=True,
        minutes="Wir haben 23 Hindernisse gefunden und fotografiert. Die Liste ist in den "
                "Ideen eingetragen.",
        minutes_simple="Wir sind durch das Quartier gegangen. Wir haben 23 Hindernisse gefunden.",
    )
    return process


def _first_budget(quarter):
    try:
        from quartier.pb import services as pb

        budgets = pb.budgets_of(quarter)
    except Exception:  # noqa: BLE001 - the quarter budget module may not be there
        return None
    return budgets[0] if budgets else None


def _ideas(process, people, rng, *, count, answered, offset=-9) -> list[Idea]:
    quarter = process.quarter
    points = _points_in(quarter, count, rng)
    now = timezone.now()
    statuses = ["accepted", "implemented", "not_feasible", "under_review"]
    ideas = []
    for number in range(count):
        title, category, text, simple = IDEAS[(number + rng.randrange(len(IDEAS))) % len(IDEAS)]
        status = statuses[number % 4] if answered else (
            "under_review" if number == 1 else "submitted")
        idea = Idea(
            process=process, author=people[number % len(people)], title=title,
            text=text, text_simple=simple, category=category, is_demo=True,
            created_at=now + timedelta(days=offset, hours=number * 5),
            status=status, location_text="" if number % 3 else "am Marktplatz",
        )
        if number % 4 != 3:
            idea.x, idea.y = points[number]
        if status != "submitted":
            idea.answer = ANSWERS[status]
            idea.answered_at = idea.created_at + timedelta(days=5)
            if status == "not_feasible":
                idea.status_reason = "Die Fläche gehört nicht der Gemeinde."
        ideas.append(idea)
    return Idea.objects.bulk_create(ideas)


def _comments(ideas, people, rng) -> None:
    content_type = ContentType.objects.get_for_model(Idea)
    for idea in ideas:
        tops = Comment.objects.bulk_create([
            Comment(content_type=content_type, object_id=idea.pk, is_demo=True,
                    author=people[rng.randrange(len(people))], text=rng.choice(COMMENTS),
                    ags=idea.process.quarter.gemeinde.ags,
                    created_at=idea.created_at + timedelta(hours=n + 1))
            for n in range(rng.randint(0, 4))
        ])
        replies = Comment.objects.bulk_create([
            Comment(content_type=content_type, object_id=idea.pk, parent=top, is_demo=True,
                    author=people[rng.randrange(len(people))], text=rng.choice(REPLIES),
                    ags=top.ags, created_at=top.created_at + timedelta(minutes=30 + n))
            for top in tops for n in range(rng.randint(0, 2))
        ])
        Idea.objects.filter(pk=idea.pk).update(comment_count=len(tops) + len(replies))


def _supports(ideas, people, rng) -> None:
    for idea in ideas:
        supporters = rng.sample(people, rng.randint(0, len(people) // 2))
        Support.objects.bulk_create([Support(idea=idea, user=u) for u in supporters])
        Idea.objects.filter(pk=idea.pk).update(support_count=len(supporters))


# The benchmark's big process -------------------------------------------------------------


@dataclass
class BigProcess:
    process: Process
    busiest_idea: Idea  # the idea with the most comments (500 when there are enough)
    ideas: int
    comments: int


BATCH = 5_000


def make_big_process(quarter: Quarter, *, ideas: int = 10_000, comments: int = 100_000,
                     seed: int = 2018, participants: int = 500,
                     progress: Progress = no_progress) -> BigProcess:
    """One published process with `ideas` ideas (three in four on the map) and `comments`
    comments (a third of them replies), for benchmarks. The first idea gets 500 comments
    (100 threads of a comment and four replies) when comments allow; the rest are spread at
    random. Counters (comments, support) agree with the rows. Marked is_demo."""
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    day = timedelta(days=1)
    with transaction.atomic():
        people = _bulk_participants(participants, seed)
        process = Process.objects.create(
            quarter=quarter, is_demo=True, status=Process.Status.PUBLISHED,
            title=f"Großer Beteiligungsprozess {quarter.name}",
            goal="Benchmark: sehr viele Ideen und Kommentare.",
            open_for_decision="Alles, was das Quartier betrifft.", created_at=now - 30 * day,
        )
        Phase.objects.create(process=process, kind=Phase.Kind.IDEAS, starts_at=now - 30 * day,
                             ends_at=now + 30 * day)
        busiest = min(500, comments)
        per_idea = [0] * ideas
        per_idea[0] = busiest
        for _ in range(comments - busiest):
            per_idea[rng.randrange(1, ideas) if ideas > 1 else 0] += 1
        supports = [rng.randint(0, 6) for _ in range(ideas)]
        points = _points_in(quarter, ideas, rng)
        categories = Category.values
        rows = []
        for number in range(ideas):
            title, category, text, _simple = IDEAS[number % len(IDEAS)]
            idea = Idea(
                process=process, author=people[number % len(people)],
                title=f"{title} ({number + 1})", text=text, category=categories[number % 9],
                is_demo=True, created_at=now - timedelta(minutes=ideas - number),
                comment_count=per_idea[number], support_count=supports[number],
                status=Idea.Status.SUBMITTED if number % 5 else Idea.Status.UNDER_REVIEW,
            )
            if number % 4 != 3:
                idea.x, idea.y = points[number]
            rows.append(idea)
        created = []
        for start in range(0, ideas, BATCH):
            created += Idea.objects.bulk_create(rows[start:start + BATCH])
            progress(gettext("Ideas: %(done)s of %(total)s")
                     % {"done": formats.number(len(created)), "total": formats.number(ideas)})
        Support.objects.bulk_create(
            [Support(idea=idea, user=user) for idea, count in zip(created, supports, strict=True)
             for user in rng.sample(people, count)], batch_size=BATCH,
        )
        _big_comments(created, per_idea, people, rng, progress)
        Process.objects.filter(pk=process.pk).update(map_version=1)
    process.refresh_from_db()
    return BigProcess(process, created[0], ideas, comments)


def _bulk_participants(count: int, seed: int) -> list[User]:
    prefix = f"bench-{seed}-"
    existing = list(User.objects.filter(username__startswith=prefix).order_by("pk")[:count])
    missing = count - len(existing)
    if missing > 0:
        start = len(existing)
        new = User.objects.bulk_create([
            User(username=f"{prefix}{n}@{DEMO_DOMAIN}", email=f"{prefix}{n}@{DEMO_DOMAIN}",
                 password="!")  # unusable password
            for n in range(start, start + missing)
        ], batch_size=BATCH)
        ParticipantSettings.objects.bulk_create([
            ParticipantSettings(user=user, public_name=f"Person {n + start + 1}", by_email=False)
            for n, user in enumerate(new)
        ], batch_size=BATCH)
        existing += new
    return existing


def _big_comments(ideas, per_idea, people, rng, progress) -> None:
    """Top-level comments first (their ids are needed), then replies: about a third."""
    content_type = ContentType.objects.get_for_model(Idea)
    ags = ideas[0].process.quarter.gemeinde.ags if ideas else ""
    tops, plan = [], []
    for index, (idea, count) in enumerate(zip(ideas, per_idea, strict=True)):
        if index == 0:
            threads = count // 5 if count >= 5 else count
        else:
            threads = max(1, round(count * 2 / 3)) if count else 0
        for n in range(threads):
            tops.append(Comment(content_type=content_type, object_id=idea.pk, ags=ags,
                                author=people[rng.randrange(len(people))], is_demo=True,
                                text=COMMENTS[n % len(COMMENTS)],
                                created_at=idea.created_at + timedelta(minutes=n + 1)))
        plan.append((len(tops) - threads, threads, count - threads))
    created = []
    for start in range(0, len(tops), BATCH):
        created += Comment.objects.bulk_create(tops[start:start + BATCH])
        progress(gettext("Comments: %(n)s") % {"n": formats.number(len(created))})
    replies = []
    for first, threads, reply_count in plan:
        for n in range(reply_count):
            top = created[first + (n % threads)]
            replies.append(Comment(content_type=content_type, object_id=top.object_id,
                                   parent=top, ags=ags, is_demo=True,
                                   author=people[rng.randrange(len(people))],
                                   text=REPLIES[n % len(REPLIES)],
                                   created_at=top.created_at + timedelta(seconds=n + 1)))
    for start in range(0, len(replies), BATCH):
        Comment.objects.bulk_create(replies[start:start + BATCH])
        progress(gettext("Comments: %(n)s")
                 % {"n": formats.number(len(created) + min(start + BATCH, len(replies)))})
