from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.places.models import Place, Quarter


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:tag", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Public: published, with a publication date that has come."""
        return self.filter(status=Article.Status.PUBLISHED,
                           published_at__lte=now or timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    # Filters are uncorrelated IN subqueries: the database evaluates each once, not per row.
    def about_place(self, place: Place):
        """Articles about a place or anything within it (its Gemeinden, their quarters)."""
        if place.kind == Place.Kind.LAND:
            return self
        places = Place.objects.filter(ags__startswith=place.ags).values("pk")
        quarters = Quarter.objects.filter(gemeinde__in=places).values("pk")
        by_place = Article.places.through.objects.filter(place__in=places)
        by_quarter = Article.quarters.through.objects.filter(quarter__in=quarters)
        return self.filter(Q(pk__in=by_place.values("article_id"))
                           | Q(pk__in=by_quarter.values("article_id")))

    def about_quarter(self, quarter: Quarter):
        by_quarter = Article.quarters.through.objects.filter(quarter=quarter)
        return self.filter(pk__in=by_quarter.values("article_id"))

    def tagged(self, tag: Tag):
        return self.filter(pk__in=Article.tags.through.objects.filter(tag=tag).values(
            "article_id"))


class Article(models.Model):
    """A news article of the programme (publisher: the Land) or of a Gemeinde or Landkreis."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # Who publishes and keeps it: the Land (programme staff) or a Gemeinde/Kreis (its
    # coordinators). The article's places lie within it.
    publisher = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    title = models.CharField(_("title"), max_length=200)
    teaser = models.CharField(_("teaser"), max_length=500)
    teaser_simple = models.TextField(_("teaser in simple language"), max_length=1000, blank=True)
    # Markdown as typed; body_html is rendered and sanitised from it when saved.
    body = models.TextField(_("text"), max_length=50_000)
    body_html = models.TextField(editable=False, blank=True)
    image = models.ImageField(_("image"), upload_to="news/", blank=True)
    image_alt = models.CharField(_("image description (alt text)"), max_length=300, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles",
                                  verbose_name=_("tags"))
    places = models.ManyToManyField(Place, blank=True, related_name="news_articles",
                                    verbose_name=_("places"))
    quarters = models.ManyToManyField(Quarter, blank=True, related_name="news_articles",
                                      verbose_name=_("quarters"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    published_at = models.DateTimeField(_("publication date"), null=True, blank=True)
    accepts_comments = models.BooleanField(_("comments allowed"), default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    # Term counts of title and text for related articles (engine.terms_of), kept with the text.
    terms = models.JSONField(default=dict, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="article_image_has_alt_text"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            # The public lists and feeds: published, newest first.
            models.Index(fields=["status", "-published_at"], name="article_status_date"),
            # Drafts and articles of one publisher for its editors.
            models.Index(fields=["publisher", "status"], name="article_publisher_status"),
            # The editors' drafts page, last changed first.
            models.Index(fields=["updated_at"], name="article_updated"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:article", args=[self.pk])

    def is_published(self, now=None) -> bool:
        """Public now: published and its publication date has come."""
        return (self.status == self.Status.PUBLISHED and self.published_at is not None
                and self.published_at <= (now or timezone.now()))

    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_published()

    # The comment target protocol of participation (docs/participation.md).
    def comments_open(self) -> bool:
        return self.accepts_comments and self.is_published()

    def moderation_ags(self) -> str:
        """Moderators of the publishing Gemeinde or Kreis; every moderator for the Land's."""
        return "" if self.publisher.kind == Place.Kind.LAND else self.publisher.ags


class RelatedArticle(models.Model):
    """One entry of an article's related articles, computed when articles are saved."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    shared = models.PositiveSmallIntegerField()  # shared places and tags
    similarity = models.FloatField()  # cosine of the TF-IDF vectors, 0…1

    class Meta:
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "rank"], name="related_rank_once"),
            models.UniqueConstraint(fields=["article", "related"], name="related_once"),
            models.CheckConstraint(condition=~Q(article=models.F("related")),
                                   name="related_not_itself"),
        ]
        # The unique (article, rank) index serves the article page's read.

    def __str__(self):
        return f"{self.article_id} → {self.related_id} ({self.rank})"


class NewsVersion(models.Model):
    """One row whose token changes with every change to the news; cached lists are keyed by it.

    Set inside the transaction of each change (services.mark_changed), so every app-server
    process sees the new token exactly when the change is committed. Not the time of the last
    change: updated_at is stamped before the commit, and a save stamped later may commit first.
    A random token rather than a counter, so a database restored or recreated under running
    processes never meets their cached lists of the same number."""

    token = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.token)
