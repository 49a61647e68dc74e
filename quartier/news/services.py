"""News: articles, their places and tags, related articles. Every write goes through here."""

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quartier.accounts import services as accounts
from quartier.accounts.services import record_event
from quartier.news import engine, markup
from quartier.news.models import Article, NewsVersion, RelatedArticle, Tag
from quartier.places.models import Place, Quarter
from quartier.places.services import LAND_AGS, fold_query, no_progress

Progress = Callable[[str], None]
# Lists, feeds and related articles need neither the text nor its word counts.
LIST_DEFERRED = ("body", "terms", "teaser_simple", "publisher__boundary",
                 "publisher__search_key")
Kind = Place.Kind
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_PLACE_LINES = 50
# A quarter is written "Gemeinde / quarter"; Gemeinde names hold "/" only without spaces.
QUARTER_SEPARATOR = " / "


# Places: who publishes, which places an article is about --------------------------------


def publisher_choices(user):
    """Places the user may publish for: the Land (programme staff), coordinated places."""
    ags = set(accounts.coordinated_ags(user))
    if accounts.is_programme_staff(user):
        land = Place.objects.filter(kind=Kind.LAND).values_list("ags", flat=True).first()
        if land:
            ags.add(land)
    return Place.objects.filter(ags__in=ags).order_by("ags")


def place_label(place: Place) -> str:
    """How a place is named as a publisher or in a list ("Landkreis Tübingen")."""
    if place.kind == Kind.LAND:
        return _("Land %(name)s") % {"name": place.name}
    if place.kind == Kind.KREIS and not place.is_stadtkreis:
        return _("Landkreis %(name)s") % {"name": place.name}
    return place.name


def _short(name: str) -> str:
    return name.split(",")[0].strip()


@dataclass
class _PlaceDirectory:
    """Gemeinden and Kreise by folded name, for reading typed places."""

    by_ags: dict[str, tuple[int, str, str, str]]  # ags → (pk, ags, name, kind)
    gemeinden: dict[str, list[str]]  # folded full or short name → AGS
    kreise: dict[str, list[str]]

    @classmethod
    def load(cls) -> "_PlaceDirectory":
        """Built once per process and kept while the places stay the same (one query)."""
        places = Place.objects.filter(kind__in=[Kind.GEMEINDE, Kind.KREIS])
        version = tuple(places.aggregate(n=Count("pk"), last=Max("pk")).values())
        cached = _directory_cache.get("directory")
        if cached is None or cached[0] != version:
            cached = _directory_cache["directory"] = (version, cls._build(places))
        return cached[1]

    @classmethod
    def _build(cls, places) -> "_PlaceDirectory":
        rows = places.values_list("pk", "ags", "name", "kind")
        directory = cls({}, {}, {})
        for row in rows:
            pk, ags, name, kind = row
            directory.by_ags[ags] = row
            names = directory.gemeinden if kind == Kind.GEMEINDE else directory.kreise
            for key in {fold_query(name), fold_query(_short(name))}:
                names.setdefault(key, []).append(ags)
        return directory

    def line(self, ags: str) -> str:
        """The way a place is written in the places field; unambiguous when read back."""
        _pk, _ags, name, kind = self.by_ags[ags]
        if kind == Kind.KREIS:
            prefix = _("Stadtkreis") if "Stadtkreis" in name else _("Landkreis")
            short = _short(name)
            text = f"{prefix} {short}"
            return text if len(self.kreise.get(fold_query(short), [])) == 1 else f"{text} ({ags})"
        short = _short(name)
        return short if len(self.gemeinden.get(fold_query(short), [])) == 1 else f"{short} ({ags})"

    def describe(self, ags: str) -> str:
        _pk, _ags, name, kind = self.by_ags[ags]
        kreis = self.by_ags.get(ags[:5])
        if kind == Kind.GEMEINDE and kreis:
            within = kreis[2] if "Stadtkreis" in kreis[2] else _("Landkreis %(name)s") % {
                "name": kreis[2]}
            return f"{name} ({ags}, {within})"
        return f"{name} ({ags})"


_directory_cache: dict = {}
_AGS_IN_LINE = re.compile(r"^(?P<name>.*?)\s*\(?\s*(?P<ags>08\d{3}(?:\d{3})?)\s*\)?$")
_KREIS_PREFIX = re.compile(r"^(landkreis|stadtkreis|kreis|lkr\.?)\s+", re.IGNORECASE)


def _find(directory: _PlaceDirectory, text: str, *, gemeinde_only: bool) -> str:
    """The AGS of a typed Gemeinde or Kreis; ValidationError with the reason otherwise."""
    match = _AGS_IN_LINE.match(text)
    if match:
        ags = match["ags"]
        row = directory.by_ags.get(ags)
        if row is None or (gemeinde_only and row[3] != Kind.GEMEINDE):
            raise ValidationError(_("“%(text)s”: there is no Gemeinde or Landkreis with the key "
                                    "%(ags)s.") % {"text": text, "ags": ags})
        return ags
    kreis_only = bool(_KREIS_PREFIX.match(text)) and not gemeinde_only
    key = fold_query(_KREIS_PREFIX.sub("", text) if kreis_only else text)
    found = [] if kreis_only else directory.gemeinden.get(key, [])
    if not found and not gemeinde_only:
        found = directory.kreise.get(key, [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValidationError(
            _("“%(text)s” is ambiguous; add the official key in brackets: %(choices)s.")
            % {"text": text, "choices": "; ".join(directory.describe(a) for a in sorted(found))}
        )
    if gemeinde_only:
        raise ValidationError(_("“%(text)s” is not a Gemeinde of Baden-Württemberg.")
                              % {"text": text})
    raise ValidationError(_("“%(text)s” is not a Gemeinde or Landkreis of Baden-Württemberg.")
                          % {"text": text})


def read_places(text: str, *, within: Place | None) -> tuple[list[Place], list[Quarter]]:
    """Places and quarters typed one per line ("Tübingen", "Landkreis Tübingen",
    "Tübingen / Südstadt", "Altdorf (08115001)"); each must lie within `within`.

    Raises ValidationError with one message per line that cannot be read.
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > MAX_PLACE_LINES:
        raise ValidationError(_("Name at most %(n)s places.") % {"n": MAX_PLACE_LINES})
    directory = _PlaceDirectory.load()
    errors: list[str] = []
    place_ags: list[str] = []
    quarter_refs: list[tuple[str, str, str]] = []  # (line, Gemeinde AGS, folded quarter name)
    for line in lines:
        try:
            if QUARTER_SEPARATOR in line:
                gemeinde_text, quarter_name = line.split(QUARTER_SEPARATOR, 1)
                ags = _find(directory, gemeinde_text.strip(), gemeinde_only=True)
                quarter_refs.append((line, ags, fold_query(quarter_name)))
            else:
                place_ags.append(_find(directory, line, gemeinde_only=False))
        except ValidationError as error:
            errors.extend(error.messages)
    quarters: list[Quarter] = []
    if quarter_refs:
        candidates = Quarter.objects.published().filter(
            gemeinde__ags__in={ags for _line, ags, _name in quarter_refs}
        ).select_related("gemeinde").only("name", "status", "gemeinde__ags", "gemeinde__name")
        by_name = {(q.gemeinde.ags, fold_query(q.name)): q for q in candidates}
        for line, ags, name in quarter_refs:
            quarter = by_name.get((ags, name))
            if quarter is None:
                errors.append(_("“%(text)s”: %(gemeinde)s has no published quarter of this "
                                "name.") % {"text": line, "gemeinde": directory.by_ags[ags][2]})
            elif quarter not in quarters:
                quarters.append(quarter)
    places = list(Place.objects.filter(ags__in=place_ags).only("ags", "name", "kind")
                  .order_by("ags"))
    if within is not None and within.kind != Kind.LAND:
        outside = [directory.line(p.ags) for p in places if not p.ags.startswith(within.ags)]
        outside += [quarter_line(q, directory) for q in quarters
                    if not q.gemeinde.ags.startswith(within.ags)]
        for text in outside:
            errors.append(_("“%(text)s” lies outside %(publisher)s, for which this article is "
                            "published.") % {"text": text, "publisher": place_label(within)})
    if errors:
        raise ValidationError(errors)
    return places, quarters


def find_place(text: str) -> Place | Quarter:
    """One typed place (as in read_places), an official key, or "q<id>" for a published
    quarter; ValidationError with the reason otherwise."""
    text = text.strip()
    if re.fullmatch(r"q\d{1,10}", text):
        quarter = Quarter.objects.published().select_related("gemeinde").filter(
            pk=int(text[1:])).first()
        if quarter is None:
            raise ValidationError(_("This quarter is not known."))
        return quarter
    if text == LAND_AGS:
        return Place.objects.get(ags=LAND_AGS)
    places, quarters = read_places(text.replace("\n", " "), within=None)
    return quarters[0] if quarters else places[0]


def quarter_line(quarter: Quarter, directory: _PlaceDirectory | None = None) -> str:
    directory = directory or _PlaceDirectory.load()
    return f"{directory.line(quarter.gemeinde.ags)}{QUARTER_SEPARATOR}{quarter.name}"


def places_text(places: Iterable[Place], quarters: Iterable[Quarter]) -> str:
    """The places field's text for stored places and quarters (read back by read_places)."""
    places, quarters = list(places), list(quarters)
    if not places and not quarters:
        return ""
    directory = _PlaceDirectory.load()
    lines = [directory.line(p.ags) for p in places if p.ags in directory.by_ags]
    lines += [quarter_line(q, directory) for q in quarters]
    return "\n".join(lines)


def example_places(publisher: Place, *, limit: int = 6) -> list[str]:
    """Lines a coordinator may use: the own Gemeinde or Kreis and some of its quarters."""
    if publisher.kind == Kind.LAND:
        return []
    directory = _PlaceDirectory.load()
    lines = [directory.line(publisher.ags)] if publisher.ags in directory.by_ags else []
    quarters = Quarter.objects.published().filter(
        gemeinde__ags__startswith=publisher.ags
    ).select_related("gemeinde").order_by("gemeinde__name", "name")[:limit]
    return lines + [quarter_line(q, directory) for q in quarters]


# Images -----------------------------------------------------------------------------------


def store_image(content) -> str:
    """Save an image that forms.ArticleForm has checked and written anew (JPEG or PNG);
    returns its storage name."""
    extension = content.name.rsplit(".", 1)[-1].lower()
    if extension not in IMAGE_TYPES:
        raise ValueError(f"not a checked image: {content.name}")
    return default_storage.save(f"news/{secrets.token_hex(8)}.{extension}", content)


def image_type(name: str) -> str:
    return IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


# Writing ----------------------------------------------------------------------------------


def body_problem_messages(text: str) -> list[str]:
    """Messages for the body field: links and images the page would not keep."""
    messages = []
    for code, detail in markup.problems(text):
        if code == "too_long":
            messages.append(_("The text is longer than %(n)s characters.") % {"n": detail})
        elif code == "link":
            messages.append(_("The link “%(url)s” is not allowed; links start with https://, "
                              "http://, mailto: or /.") % {"url": detail[:80]})
        elif code == "remote_image":
            messages.append(_("The image “%(url)s” comes from another site; images from other "
                              "sites are not shown. Use the article image instead.")
                            % {"url": detail[:80]})
        elif code == "image_path":
            messages.append(_("“%(url)s” is not an image of this platform; images in the text "
                              "must be article images or files under /media/ or /static/. Use "
                              "the article image instead.") % {"url": detail[:80]})
        else:
            messages.append(_("Every image in the text needs a description: "
                              "![description](%(url)s).") % {"url": detail[:80]})
    return messages


def _prepare(article: Article) -> None:
    article.body_html = markup.render(article.body)
    article.terms = engine.terms_of(
        article.title, f"{article.teaser}\n{markup.plain_text(article.body_html)}"
    )
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()


@transaction.atomic
def save_article(
    article: Article, *, tags: Iterable[Tag], places: Iterable[Place],
    quarters: Iterable[Quarter], image: str | None = None, actor, recompute: bool = True,
) -> Article:
    """Create or change an article; `image` is a stored image name ("" removes it, None keeps).

    Renders and sanitises the body, records the change, and recomputes the related articles
    it affects (unless `recompute` is off for bulk loads, which recompute once afterwards).
    """
    created = article.pk is None
    before = None if created else Article.objects.filter(pk=article.pk).values(
        "status", "published_at", "image").first()
    if image is not None:
        article.image.name = image
        if not image:
            article.image_alt = ""
    if created and actor is not None and getattr(actor, "is_authenticated", False):
        article.author = actor
    _prepare(article)
    article.full_clean(exclude=["author", "image"])
    article.save()
    article.tags.set(tags)
    article.places.set(places)
    article.quarters.set(quarters)
    if created:
        action = "news.created"
    elif before and before["status"] != article.status:
        action = "news.published" if article.status == Article.Status.PUBLISHED \
            else "news.unpublished"
    else:
        action = "news.changed"
    record_event(action, article, actor=actor, summary=article.title, status=article.status,
                 published_at=article.published_at.isoformat() if article.published_at else None)
    mark_changed()
    if before and before["image"] and before["image"] != article.image.name:
        old = before["image"]
        transaction.on_commit(lambda: default_storage.delete(old))
    if recompute:
        update_related(article.pk)
    return article


@transaction.atomic
def delete_article(article: Article, *, actor) -> None:
    record_event("news.deleted", article, actor=actor, summary=article.title)
    pk, image = article.pk, article.image.name
    # The lists naming it lose it with the delete (cascade): recompute them afterwards.
    listing = set(RelatedArticle.objects.filter(related=article).values_list("article_id",
                                                                             flat=True))
    _delete_comments(article)
    article.delete()
    mark_changed()
    if image:
        transaction.on_commit(lambda: default_storage.delete(image))
    update_related(pk, also=listing)


def _delete_comments(article: Article) -> None:
    """Comments belong to the article; participation keeps them (generic target)."""
    from quartier.participation import services as participation

    participation.delete_comments_of(article)


# Related articles -------------------------------------------------------------------------


def _keys(tag_ids: Iterable[int], place_ags: Iterable[str], quarters: Iterable[tuple]) -> set:
    """Tags and places for the ranking; a quarter adds its Gemeinde, a Gemeinde its Kreis."""
    keys = {f"t:{pk}" for pk in tag_ids}
    for ags in place_ags:
        keys.add(f"p:{ags}")
        if len(ags) == 8:
            keys.add(f"p:{ags[:5]}")
    for pk, gemeinde_ags in quarters:
        keys.update({f"q:{pk}", f"p:{gemeinde_ags}", f"p:{gemeinde_ags[:5]}"})
    return keys


def candidate_documents() -> list[engine.Document]:
    """Every article that is published (or scheduled), as engine documents; 4 queries."""
    rows = list(Article.objects.filter(status=Article.Status.PUBLISHED).values_list("pk", "terms"))
    tags: dict[int, list[int]] = {}
    places: dict[int, list[str]] = {}
    quarters: dict[int, list[tuple]] = {}
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    for article, tag in Article.tags.through.objects.filter(
            article__in=published).values_list("article_id", "tag_id"):
        tags.setdefault(article, []).append(tag)
    for article, ags in Article.places.through.objects.filter(
            article__in=published).values_list("article_id", "place__ags"):
        places.setdefault(article, []).append(ags)
    for article, quarter, ags in Article.quarters.through.objects.filter(
            article__in=published).values_list("article_id", "quarter_id",
                                               "quarter__gemeinde__ags"):
        quarters.setdefault(article, []).append((quarter, ags))
    return [
        engine.Document(pk, terms or {}, frozenset(
            _keys(tags.get(pk, ()), places.get(pk, ()), quarters.get(pk, ()))))
        for pk, terms in rows
    ]


# Any number; PostgreSQL's transaction-level advisory lock of the related-article lists.
RELATED_LOCK = 7_310_001


def _lock_related() -> None:
    """One recomputation at a time, each reading what the one before it committed.

    Two saves at the same moment would otherwise both start from the old lists and the later
    commit would drop the earlier article. SQLite already runs writing transactions one by one
    (IMMEDIATE); PostgreSQL takes an advisory lock until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELATED_LOCK])


def _stored_lists() -> dict[int, list[engine.Neighbour]]:
    stored: dict[int, list[engine.Neighbour]] = {}
    for article, related, shared, similarity in RelatedArticle.objects.order_by(
            "article_id", "rank").values_list("article_id", "related_id", "shared", "similarity"):
        stored.setdefault(article, []).append(engine.Neighbour(related, shared, similarity))
    return stored


def _replace(lists: dict[int, list[engine.Neighbour]]) -> None:
    RelatedArticle.objects.filter(article_id__in=list(lists)).delete()
    RelatedArticle.objects.bulk_create([
        RelatedArticle(article_id=article, related_id=n.id, rank=rank, shared=n.shared,
                       similarity=n.similarity)
        for article, found in lists.items() for rank, n in enumerate(found, start=1)
    ], batch_size=1000)


@transaction.atomic
def update_related(article_id: int, *, also: Iterable[int] = ()) -> set[int]:
    """Recompute the lists one saved or deleted article affects; returns their ids.

    The IDF weights shift a little with every article; lists it does not touch keep their
    weights until the next full recomputation (`quartier news related`).
    """
    _lock_related()
    index = engine.build_index(candidate_documents())
    stored = _stored_lists()
    if article_id in index.position:
        targets = engine.affected(index, article_id, stored)
    else:
        targets = engine.removed(article_id, stored) | {article_id}
    targets |= set(also)
    lists = {
        target: engine.neighbours(index, target) if target in index.position else []
        for target in targets
    }
    _replace(lists)
    return set(lists)


@transaction.atomic
def recompute_related(*, refresh_terms: bool = False, progress: Progress = no_progress) -> int:
    """Recompute every article's related articles (after bulk changes); returns the count."""
    if refresh_terms:
        for article in Article.objects.only("pk", "title", "teaser", "body_html").iterator():
            terms = engine.terms_of(
                article.title, f"{article.teaser}\n{markup.plain_text(article.body_html)}"
            )
            Article.objects.filter(pk=article.pk).update(terms=terms)
    _lock_related()
    documents = candidate_documents()
    progress(_("%(n)s published articles") % {"n": len(documents)})
    index = engine.build_index(documents)
    lists = engine.all_neighbours(
        index, progress=lambda done, total: progress(
            _("%(done)s of %(total)s articles compared") % {"done": done, "total": total})
    )
    RelatedArticle.objects.all().delete()
    _replace(lists)
    progress(_("%(n)s related-article entries stored")
             % {"n": sum(len(found) for found in lists.values())})
    return len(lists)


def schedule_related_recompute() -> None:
    """Recompute all related articles in the background once the transaction commits."""
    from quartier.news.tasks import recompute_related_task

    transaction.on_commit(lambda: recompute_related_task.enqueue())


def related_of(article: Article, *, now=None) -> list[Article]:
    """The stored related articles that are public now, best first; one query."""
    now = now or timezone.now()
    links = RelatedArticle.objects.filter(
        article=article, related__status=Article.Status.PUBLISHED,
        related__published_at__lte=now,
    ).select_related("related__publisher").defer(
        *(f"related__{name}" for name in LIST_DEFERRED)).order_by("rank")
    return [link.related for link in links]


# Reading ----------------------------------------------------------------------------------


def public_articles(*, tag: Tag | None = None, place: Place | None = None,
                    quarter: Quarter | None = None):
    """Public articles, newest first, with what the lists show (constant queries)."""
    articles = Article.objects.published().newest_first().select_related(
        "publisher").defer(*LIST_DEFERRED)
    if tag is not None:
        articles = articles.tagged(tag)
    if place is not None:
        articles = articles.about_place(place)
    if quarter is not None:
        articles = articles.about_quarter(quarter)
    return articles.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))


def editable_articles(user):
    """Drafts and scheduled articles the user may change, newest first."""
    articles = Article.objects.exclude(
        pk__in=Article.objects.published().values("pk")
    ).select_related("publisher").order_by("-updated_at")
    if accounts.is_programme_staff(user):
        return articles
    coordinated = accounts.coordinated_ags(user)
    if not coordinated:
        return articles.none()
    condition = Q()
    for ags in coordinated:
        condition |= Q(publisher__ags__startswith=ags)
    return articles.filter(condition)


def mark_changed() -> None:
    """Record a change to the news (articles, their tags and places, tags) inside its
    transaction: the cached lists of every process are keyed by news_version()."""
    token = secrets.randbits(62)
    if not NewsVersion.objects.filter(pk=1).update(token=token):
        NewsVersion.objects.update_or_create(pk=1, defaults={"token": token})


def news_version() -> str:
    """The token of the last committed change to the news (for cached lists); one query.

    Not the time of the last change: updated_at is stamped before the commit, so an unpublish
    stamped earlier than a save that commits first would leave MAX(updated_at) as it was, and
    other processes would keep the unpublished article in their cached lists."""
    token = NewsVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return f"v{token or 0}"


def tags_in_use(version: str | None = None) -> list[Tag]:
    """Tags that have public articles, for the list's filter; one query, or none while the
    cached answer for this news_version() is fresh (a tag whose first article comes due at its
    scheduled time joins the select within five minutes; the filter accepts it at once)."""
    key = f"news:tags:{get_language()}:{version}"
    if version is not None and (tags := cache.get(key)) is not None:
        return tags
    now = timezone.now()
    used = Article.tags.through.objects.filter(
        article__status=Article.Status.PUBLISHED, article__published_at__lte=now
    ).values("tag_id")
    tags = list(Tag.objects.filter(pk__in=used).order_by("name"))
    if version is not None:
        cache.set(key, tags, 300)
    return tags


def latest_about(target, *, limit: int = 3) -> list[Article]:
    """The newest public articles about a place or quarter (for their pages); one query."""
    articles = Article.objects.published().newest_first().select_related(
        "publisher").defer(*LIST_DEFERRED, "body_html")
    if isinstance(target, Quarter):
        articles = articles.about_quarter(target)
    else:
        articles = articles.about_place(target)
    return list(articles[:limit])
