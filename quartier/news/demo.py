"""Demo news: the strategy's story from the press text (seeds/000_…txt) and plausible follow-ups.

Every article and tag is marked is_demo; the interface labels them "Demodaten". Deterministic
(fixed texts and dates) and idempotent (nothing happens when demo articles exist).
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from quartier.news import engine, markup, services
from quartier.news.models import Article, Tag
from quartier.places.models import Place, Quarter
from quartier.places.services import Progress, no_progress

BERLIN = ZoneInfo("Europe/Berlin")
LAND = "08"
STUTTGART, TUEBINGEN, LK_TUEBINGEN, ULM = "08111000", "08416041", "08416", "08421000"
FREIBURG, MANNHEIM, HEIDELBERG, KARLSRUHE = "08311000", "08222000", "08221000", "08212000"

TAGS = {
    "ideenwettbewerb": "Ideenwettbewerb",
    "beratung": "Beratung",
    "beteiligung": "Beteiligung",
    "foerderung": "Förderung",
    "mehrgenerationenhaus": "Mehrgenerationenhaus",
    "barrierefreiheit": "Barrierefreiheit",
    "ehrenamt": "Ehrenamt",
    "quartiersentwicklung": "Quartiersentwicklung",
    "haushalt": "Haushalt",
}

# (publisher AGS, date, title, teaser, simple-language teaser, body, tags, places, quarters of)
ARTICLES = [
    (LAND, (2017, 11, 23, 18, 0),
     "53 Kommunen für ihre Quartiersideen ausgezeichnet",
     "Bei einer feierlichen Preisverleihung im Neuen Schloss in Stuttgart sind 53 Kommunen für "
     "ihre Ideen und Konzepte zur generationengerechten Quartiersentwicklung ausgezeichnet "
     "worden – mit Preisgeldern von insgesamt 2,7 Millionen Euro.",
     "53 Städte und Gemeinden haben einen Preis bekommen. Sie haben gute Ideen für ihre "
     "Stadtteile und Dörfer. Zusammen bekommen sie 2,7 Millionen Euro.",
     """Staatssekretärin Bärbl Mielich und Sozial- und Integrationsminister Manne Lucha haben am
23. November bei einer feierlichen Preisverleihung im Neuen Schloss in Stuttgart **53 Kommunen**
für ihre Ideen und Konzepte zur generationengerechten Quartiersentwicklung ausgezeichnet. Die
Preisgelder betragen insgesamt **2,7 Millionen Euro**.

## Startschuss für die Landesstrategie

Der Ideenwettbewerb war der Startschuss für die Landesstrategie „Quartier 2020 –
Gemeinsam.Gestalten.“. Zentraler Gedanke ist es, die Kommunen bei der Etablierung und
Weiterentwicklung ihrer Quartiere vor Ort zu unterstützen und zu begleiten.

## Wie es weitergeht

- Ab 2018 entwickelt das Land flächendeckende Beratungs- und Unterstützungsangebote.
- Kommunen, Landkreise und zivilgesellschaftliche Akteure erhalten kostenlose Fach- und
  Prozessberatung für ihre Aktivitäten vor Ort.
- Im Entwurf für den Doppelhaushalt 2018/2019 sind dafür 12 Millionen Euro eingestellt.

Die ausgezeichneten Kommunen und ihre Ideen finden Sie unter [Orte](/).""",
     ["ideenwettbewerb", "foerderung", "quartiersentwicklung"], [STUTTGART], []),
    (LAND, (2017, 12, 5, 10, 0),
     "Ab 2018: kostenlose Fach- und Prozessberatung für die Quartiersarbeit",
     "Kommunen, Landkreise und zivilgesellschaftliche Akteure können ab 2018 kostenlose Fach- "
     "und Prozessberatung für ihre Quartiersprojekte vor Ort erhalten.",
     "Ab 2018 gibt es kostenlose Beratung. Für Gemeinden, Landkreise und Vereine. Die Beratung "
     "hilft bei Projekten im Quartier.",
     """Das Land baut ab 2018 **flächendeckende Beratungs- und Unterstützungsangebote** auf. Ziel
ist, dass jede Kommune, die ihr Quartier generationengerecht weiterentwickeln will, fachliche
und prozessbegleitende Unterstützung bekommt.

## Was die Beratung bietet

- **Fachberatung**: Wissen zu Pflege, Wohnen, Begegnung und Barrierefreiheit im Quartier.
- **Prozessberatung**: Begleitung von Beteiligungsprozessen, Moderation von Workshops,
  Aufbau von Kooperationen zwischen Trägern und Verwaltung.

Antragsberechtigt sind Kommunen, Landkreise und zivilgesellschaftliche Akteure. Die Beratung
ist kostenlos. Mehr dazu lesen Sie in den kommenden Wochen hier in den Nachrichten.""",
     ["beratung", "quartiersentwicklung"], [], []),
    (LAND, (2017, 12, 14, 9, 30),
     "12 Millionen Euro für Quartiersentwicklung im Doppelhaushalt 2018/2019",
     "Im Entwurf für den Doppelhaushalt 2018/2019 sind im Etat des Sozial- und "
     "Integrationsministeriums 12 Millionen Euro für die Landesstrategie eingestellt.",
     "",
     """Für die Maßnahmen der Landesstrategie „Quartier 2020 – Gemeinsam.Gestalten.“ sind im
Entwurf für den **Doppelhaushalt 2018/2019** im Etat des Sozial- und Integrationsministeriums
insgesamt **12 Millionen Euro** eingestellt.

Mit dem Geld werden die Beratungs- und Unterstützungsangebote finanziert, die ab 2018
flächendeckend aufgebaut werden, sowie weitere Förderaufrufe für Kommunen und Träger.""",
     ["haushalt", "foerderung"], [], []),
    (LAND, (2018, 1, 17, 11, 0),
     "Was ist ein Quartier?",
     "Ein Quartier ist ein Sozialraum wie ein Stadtteil, Kiez oder Dorf, in dem Menschen "
     "unterschiedlicher Herkunft und jeden Alters, mit und ohne Behinderungen, sich selbst "
     "vertreten, begegnen und gegenseitig unterstützen können.",
     "Ein Quartier ist ein Ort zum Leben. Zum Beispiel ein Stadtteil oder ein Dorf. Dort "
     "treffen sich Menschen. Junge und alte Menschen. Menschen mit und ohne Behinderung. Sie "
     "helfen sich gegenseitig.",
     """Die Landesstrategie versteht ein Quartier als **Sozialraum** – einen Stadtteil, einen Kiez
oder ein Dorf –, in dem die Lebensverhältnisse so gestaltet werden können, dass Menschen
unterschiedlicher sozialer Schichten, Herkunft und Altersstruktur, mit und ohne Behinderungen,
dazu angeregt oder befähigt werden, sich selbst zu vertreten, zu begegnen und gegenseitig zu
unterstützen (Empowerment).

## Orte der Beteiligung

Quartiere sind Orte der Beteiligung, die entscheidend dazu beitragen, dass sich Menschen in
einer offenen und demokratischen Gesellschaft zuhause fühlen.""",
     ["quartiersentwicklung", "beteiligung"], [], []),
    (LAND, (2018, 2, 8, 10, 0),
     "Gelingensfaktoren: Anker, barrierefreie Räume und begleitetes Ehrenamt",
     "Was braucht ein lebendiges Quartier? Institutionelle Anker, vielfältige barrierefreie "
     "Gestaltungsräume, professionell begleitetes Ehrenamt und leicht zugängliche Angebote.",
     "",
     """Vier Faktoren tragen dazu bei, dass Quartiersentwicklung gelingt:

1. **Institutionelle Anker** wie Mütter- und Nachbarschaftszentren, Kinder- und
   Familienzentren sowie Mehrgenerationenhäuser.
2. **Vielfältige barrierefreie Gestaltungsräume**, in denen sich alle begegnen können.
3. **Professionelle Unterstützung von ehrenamtlichem Engagement**.
4. **Leicht zugängliche soziale Unterstützungsangebote**.

Auf der Seite „Anker und Angebote“ finden Sie solche Orte in Ihrer Nähe – auch danach
gefiltert, ob sie stufenlos erreichbar sind.""",
     ["mehrgenerationenhaus", "barrierefreiheit", "ehrenamt", "quartiersentwicklung"], [], []),
    (LAND, (2018, 3, 1, 9, 0),
     "Sozialraumorientiert handeln: zielgruppenübergreifend statt Problemgruppen",
     "Sozialraumorientierung heißt: passgenauer, früher und flexibler handeln – mit einer "
     "kooperierenden Trägerlandschaft und einem wertschätzenden Blick auf die Menschen im "
     "Quartier.",
     "",
     """Sozialraumorientiert und damit passgenauer, früher und flexibler zu handeln bedeutet:

- zielgruppenübergreifend statt auf Problemgruppen reduziert,
- eine kooperierende Trägerlandschaft,
- die ressourcenorientierte und wertschätzende Wahrnehmung der Menschen im Quartier.

Viele Menschen brauchen Unterstützung, wollen aber auch bald unabhängig von formalen
Hilfestrukturen werden und Selbstwirksamkeit im eigenen Handeln erfahren. Diese
Empowerment-Perspektive erfordert professionell begleitete Personal- und
Organisationsentwicklung bei Trägern und Verwaltungen.""",
     ["quartiersentwicklung", "beratung"], [], []),
    (TUEBINGEN, (2018, 4, 12, 17, 0),
     "Tübingen: Auftakt zur Quartiersentwicklung mit einer Bürgerwerkstatt",
     "Rund 120 Bewohnerinnen und Bewohner haben in der ersten Bürgerwerkstatt Ideen für ihr "
     "Quartier gesammelt – von der Sitzbank bis zum offenen Treff.",
     "Viele Menschen waren bei einem Treffen. Sie haben Ideen für ihr Quartier gesammelt. Zum "
     "Beispiel mehr Bänke und einen Treffpunkt für alle.",
     """Die Universitätsstadt Tübingen hat die Quartiersentwicklung mit einer **Bürgerwerkstatt**
eröffnet. An Thementischen sammelten Bewohnerinnen und Bewohner, Träger und Verwaltung Ideen:

- mehr Sitzgelegenheiten auf dem Weg zum Einkaufen,
- ein offener Treff für Jung und Alt,
- barrierefreie Zugänge zu den Grünflächen.

Die Ideen werden auf der Beteiligungsseite des Quartiers weiter diskutiert. Die Beratung des
Landesprogramms begleitet den Prozess.""",
     ["beteiligung", "quartiersentwicklung"], [TUEBINGEN], [TUEBINGEN]),
    (TUEBINGEN, (2018, 5, 3, 12, 0),
     "Tübingen nimmt Prozessberatung des Landes in Anspruch",
     "Als eine der ersten Kommunen nutzt Tübingen die kostenlose Prozessberatung: Beraterinnen "
     "begleiten die Stadt beim Aufbau eines Quartiersnetzwerks.",
     "",
     """Tübingen nutzt die **kostenlose Prozessberatung** des Landesprogramms. In drei Terminen
klären Stadt, Träger und Ehrenamtliche, wer welche Aufgaben im Quartiersnetzwerk übernimmt.

Die Beratung hilft, die Beteiligung so zu gestalten, dass auch Menschen mitmachen, die sonst
selten zu Versammlungen kommen – etwa durch aufsuchende Gespräche und einfache Sprache.""",
     ["beratung", "beteiligung"], [TUEBINGEN], []),
    (ULM, (2018, 6, 20, 15, 0),
     "Ulm: Mehrgenerationenhaus wird Treffpunkt des Quartiers",
     "Das Mehrgenerationenhaus öffnet seinen Garten und sein Café für alle – mit Sprachcafé, "
     "Reparaturtreff und Beratung für pflegende Angehörige.",
     "Das Mehrgenerationenhaus ist jetzt für alle offen. Es gibt ein Café und einen Garten. "
     "Dort kann man sich treffen.",
     """Das **Mehrgenerationenhaus** in Ulm ist seit Juni ein Anker für das ganze Quartier. Neben
dem offenen Café gibt es:

- ein Sprachcafé am Dienstag,
- einen Reparaturtreff einmal im Monat,
- Beratung für pflegende Angehörige.

Der Eingang ist stufenlos, eine barrierefreie Toilette ist vorhanden.""",
     ["mehrgenerationenhaus", "barrierefreiheit"], [ULM], [ULM]),
    (LAND, (2018, 7, 10, 10, 0),
     "Barrierefreie Begegnungsräume: worauf Kommunen achten sollten",
     "Stufenlose Zugänge, Hörschleifen, einfache Sprache: eine Checkliste für Räume, in denen "
     "sich alle Menschen im Quartier begegnen können.",
     "",
     """Begegnung gelingt nur, wenn alle hineinkommen. Eine kurze Checkliste:

- stufenloser Eingang oder Rampe, Aufzug zu allen Etagen,
- barrierefreie Toilette,
- Induktionsschleife für Menschen mit Hörgeräten,
- Informationen in einfacher Sprache,
- Behindertenparkplatz in der Nähe.

Die Fachberatung des Landes unterstützt Kommunen dabei, vorhandene Räume zu prüfen.""",
     ["barrierefreiheit", "beratung"], [], []),
    (LK_TUEBINGEN, (2018, 9, 18, 9, 0),
     "Landkreis Tübingen: Fortbildungsreihe für Ehrenamtliche im Quartier",
     "Der Landkreis startet eine Fortbildungsreihe, die Ehrenamtliche in der Quartiersarbeit "
     "professionell begleitet – von der Moderation bis zum Datenschutz.",
     "",
     """Ehrenamtliches Engagement braucht **professionelle Begleitung**. Der Landkreis Tübingen
bietet deshalb eine Fortbildungsreihe an:

1. Treffen moderieren,
2. Menschen mit Behinderungen einbeziehen,
3. Datenschutz im Verein.

Die Reihe ist kostenlos und steht allen Ehrenamtlichen aus den Gemeinden des Landkreises
offen.""",
     ["ehrenamt", "beratung"], [LK_TUEBINGEN], []),
    (LAND, (2018, 10, 24, 14, 0),
     "Freiburg: Quartiere als Orte der Beteiligung",
     "In Freiburg entscheiden Bewohnerinnen und Bewohner über ein eigenes Quartiersbudget. Ein "
     "Beispiel, wie Beteiligung im Quartier konkret wird.",
     "In Freiburg dürfen die Menschen im Quartier mitbestimmen. Sie entscheiden, wofür Geld "
     "ausgegeben wird.",
     """Quartiere sind Orte der Beteiligung. In Freiburg wird das greifbar: Bewohnerinnen und
Bewohner schlagen Projekte vor und stimmen über ein **Quartiersbudget** ab.

Die Abstimmung ist offen für alle, die im Quartier wohnen – auch für Jugendliche ab 14 Jahren.
Die Ergebnisse werden öffentlich gezeigt.""",
     ["beteiligung"], [FREIBURG], [FREIBURG]),
    (MANNHEIM, (2019, 2, 6, 11, 0),
     "Mannheim: Familienzentrum wird zum Anker im Quartier",
     "Das Kinder- und Familienzentrum erweitert seine Angebote für das ganze Quartier: "
     "Beratung, Begegnung und Unterstützung unter einem Dach.",
     "",
     """Das **Kinder- und Familienzentrum** ist ein institutioneller Anker im Quartier. Künftig
öffnet es sich für alle Generationen: mit einem Mittagstisch für Seniorinnen und Senioren,
offener Sozialberatung und einem Treff für Alleinerziehende.""",
     ["mehrgenerationenhaus", "quartiersentwicklung"], [MANNHEIM], [MANNHEIM]),
    (LAND, (2019, 3, 14, 10, 0),
     "Beratungsangebote erreichen fast alle Landkreise",
     "Ein Jahr nach dem Start der Fach- und Prozessberatung haben Kommunen in fast allen "
     "Stadt- und Landkreisen Beratung erhalten.",
     "",
     """Ein Jahr nach dem Start ist die **Fach- und Prozessberatung** in fast allen Stadt- und
Landkreisen angekommen. Am häufigsten gefragt waren Beteiligungsprozesse, der Aufbau von
Quartiersnetzwerken und barrierefreie Begegnungsorte.

Kommunen, die noch keine Beratung erhalten haben, können sie weiterhin kostenlos anfragen.""",
     ["beratung", "foerderung"], [HEIDELBERG, KARLSRUHE], []),
]


def _when(parts: tuple) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BERLIN)


def _first_quarter(ags: str) -> Quarter | None:
    return Quarter.objects.published().filter(gemeinde__ags=ags).order_by("name").first()


def load_demo_news(*, progress: Progress = no_progress) -> int:
    """Create the demo tags and articles unless demo articles exist; returns how many."""
    if Article.objects.filter(is_demo=True).exists():
        progress(_("Demo news are already there."))
        return 0
    places = {p.ags: p for p in Place.objects.filter(
        ags__in={ags for row in ARTICLES for ags in [row[0], *row[7], *row[8]]})}
    created = 0
    with transaction.atomic():
        tags = {}
        for slug, name in TAGS.items():
            tags[slug], _created = Tag.objects.get_or_create(
                slug=slug, defaults={"name": name, "is_demo": True})
        for publisher, when, title, teaser, simple, body, tag_slugs, place_ags, quarter_of in \
                ARTICLES:
            if publisher not in places:
                continue
            article = Article(
                publisher=places[publisher], title=title, teaser=teaser, teaser_simple=simple,
                body=body, status=Article.Status.PUBLISHED, published_at=_when(when),
                is_demo=True,
            )
            quarters = [q for q in (_first_quarter(ags) for ags in quarter_of) if q]
            services.save_article(
                article, tags=[tags[s] for s in tag_slugs],
                places=[places[a] for a in place_ags if a in places], quarters=quarters,
                actor=None, recompute=False,
            )
            created += 1
        progress(_("%(n)s demo articles created") % {"n": created})
        services.recompute_related(progress=progress)
    return created


# Many articles for benchmarks ------------------------------------------------------------


def make_many_articles(count: int = 2_000, *, seed: int = 2018,
                       progress: Progress = no_progress) -> int:
    """`count` published demo articles recombined from the demo texts, about random Gemeinden
    and tags, with their related articles; for benchmarks (bulk, not through save_article)."""
    rng = random.Random(seed)
    tags = [Tag.objects.get_or_create(slug=slug, defaults={"name": name, "is_demo": True})[0]
            for slug, name in TAGS.items()]
    gemeinden = list(Place.objects.filter(kind=Place.Kind.GEMEINDE).order_by("ags"))
    land = Place.objects.get(ags=LAND)
    paragraphs = [p for row in ARTICLES for p in row[5].split("\n\n")]
    start = dt.datetime(2018, 1, 1, 8, 0, tzinfo=BERLIN)
    rows, links = [], []
    for number in range(count):
        source = ARTICLES[number % len(ARTICLES)]
        gemeinde = rng.choice(gemeinden)
        body = "\n\n".join(rng.sample(paragraphs, 3))
        title = f"{source[2]} ({gemeinde.name.split(',')[0]}, {number + 1})"
        body_html = markup.render(body)
        rows.append(Article(
            publisher=gemeinde if number % 3 else land, title=title[:200], teaser=source[3],
            body=body, body_html=body_html, status=Article.Status.PUBLISHED,
            published_at=start + dt.timedelta(hours=6 * number), is_demo=True,
            terms=engine.terms_of(title, f"{source[3]}\n{markup.plain_text(body_html)}"),
        ))
        links.append((rng.sample(tags, rng.randint(1, 3)), gemeinde))
    with transaction.atomic():
        created = Article.objects.bulk_create(rows, batch_size=1000)
        Article.tags.through.objects.bulk_create([
            Article.tags.through(article_id=a.pk, tag_id=t.pk)
            for a, (chosen, _g) in zip(created, links, strict=True) for t in chosen
        ], batch_size=5000)
        Article.places.through.objects.bulk_create([
            Article.places.through(article_id=a.pk, place_id=g.pk)
            for a, (_t, g) in zip(created, links, strict=True)
        ], batch_size=5000)
        services.mark_changed()
        progress(_("%(n)s demo articles created") % {"n": len(created)})
        services.recompute_related(progress=progress)
    return len(created)
