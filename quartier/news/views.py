import copy
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.news import services
from quartier.news.forms import ArticleForm, FilterForm
from quartier.news.models import Article, Tag
from quartier.participation import services as participation
from quartier.participation.views import post_comment
from quartier.places.models import Place, Quarter
from quartier.places.services import ancestors

PER_PAGE = 20
# Entries of older versions are left to expire.
LIST_CACHE_SECONDS = 300


def _results(request, articles, *, form=None, version=None) -> tuple:
    """(page, the rendered filters and list). They are the same for everyone, so each process
    caches them, keyed by what they show and by services.news_version(), a counter in the
    database that every change to articles or tags increments when it commits; an article
    whose publication time comes changes the count of the list, also part of the key."""
    # Read the version before the articles: what is cached is never older than its key.
    version = version or services.news_version()
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query_string = params.urlencode()
    key = "news:list:" + hashlib.sha256(repr((
        get_language(), request.path, request.GET.urlencode(), page.number,
        page.paginator.count, version,
    )).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string("news/_results.html",
                                {"page": page, "query_string": query_string, "form": form})
        cache.set(key, html, LIST_CACHE_SECONDS)
    return page, mark_safe(html)  # noqa: S308 - rendered by our template


def news_list(request):
    version = services.news_version()
    form = FilterForm(request.GET or None, tags=services.tags_in_use(version))
    articles = services.public_articles()
    status = 200
    if form.is_bound:
        if form.is_valid():
            articles = services.public_articles(
                tag=form.tag_object, place=form.place_object, quarter=form.quarter_object
            )
        else:
            status = 400
    page, results = _results(request, articles, form=form, version=version)
    return render(request, "news/list.html", {
        "form": form,
        "page": page,
        "results": results,
        "heading": _("News"),
        "feeds": (reverse("news:feed_rss"), reverse("news:feed_atom")),
        "can_add": request.user.has_perm("news.add_article"),
    }, status=status)


def _topic_list(request, articles, *, heading, feeds, breadcrumbs=(), about=None):
    page, results = _results(request, articles)
    return render(request, "news/list.html", {
        "page": page,
        "results": results,
        "heading": heading,
        "feeds": feeds,
        "breadcrumbs": breadcrumbs,
        "about": about,
        "can_add": request.user.has_perm("news.add_article"),
    })


def tag_list(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return _topic_list(
        request, services.public_articles(tag=tag),
        heading=_("News tagged “%(tag)s”") % {"tag": tag.name},
        feeds=(reverse("news:tag_rss", args=[slug]), reverse("news:tag_atom", args=[slug])),
    )


def place_list(request, ags):
    place = get_object_or_404(Place, ags=ags)
    return _topic_list(
        request, services.public_articles(place=place),
        heading=_("News from %(place)s") % {"place": services.place_label(place)},
        feeds=(reverse("news:place_rss", args=[ags]), reverse("news:place_atom", args=[ags])),
        breadcrumbs=[*ancestors(place), place], about=place,
    )


def quarter_list(request, pk):
    quarter = get_object_or_404(Quarter.objects.published().select_related("gemeinde"), pk=pk)
    return _topic_list(
        request, services.public_articles(quarter=quarter),
        heading=_("News from %(quarter)s") % {"quarter": quarter.name},
        feeds=(reverse("news:quarter_rss", args=[pk]), reverse("news:quarter_atom", args=[pk])),
        breadcrumbs=[*ancestors(quarter.gemeinde), quarter.gemeinde, quarter], about=quarter,
    )


def _get_article(request, pk: int, perm: str) -> Article:
    """The article if the user may see it; 404 hides drafts of others entirely."""
    article = get_object_or_404(
        Article.objects.select_related("publisher", "author").defer(
            "publisher__boundary", "publisher__search_key"), pk=pk)
    if not request.user.has_perm("news.view_article", article):
        raise Http404
    if perm != "news.view_article" and not request.user.has_perm(perm, article):
        raise PermissionDenied
    return article


def _private_unless_public(response, article):
    # Drafts and scheduled articles are for their editors: no shared cache may keep them.
    if not article.is_published():
        patch_cache_control(response, private=True, no_store=True)
    return response


def article(request, pk):
    article = _get_article(request, pk, "news.view_article")
    return _private_unless_public(
        render(request, "news/article.html", _article_context(request, article)), article)


def _article_context(request, article, *, comment_form=None, failed_parent=None, page=None):
    return {
        "article": article,
        "tags": list(article.tags.order_by("name")),
        # Boundaries are large GeoJSON: only what the page names.
        "places": list(article.places.only("ags", "name", "kind").order_by("name")),
        "quarters": list(article.quarters.published().select_related("gemeinde").only(
            "name", "status", "gemeinde__name", "gemeinde__ags")),
        "related": services.related_of(article),
        "can_change": request.user.has_perm("news.change_article", article),
        "can_delete": request.user.has_perm("news.delete_article", article),
        "page_url": request.build_absolute_uri(article.get_absolute_url()),
        "image_url": request.build_absolute_uri(reverse("news:image", args=[article.pk]))
        if article.image else "",
        # Comments are participation's, with its moderation (docs/participation.md).
        "thread": participation.comment_thread(
            article, page=page or request.GET.get("comments")),
        "comment_post_url": reverse("news:comment", args=[article.pk]),
        "can_comment": request.user.has_perm("news.comment_article", article),
        "comment_form": comment_form,
        "failed_parent": failed_parent,
    }


def image(request, pk):
    article = _get_article(request, pk, "news.view_article")
    if not article.image:
        raise Http404
    try:
        handle = default_storage.open(article.image.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return _private_unless_public(
        FileResponse(handle, content_type=services.image_type(article.image.name)), article)


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request):
    if not request.user.has_perm("news.add_article"):
        raise PermissionDenied
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ArticleForm(data, files, user=request.user, instance=Article())
    if request.method == "POST" and form.is_valid():
        article = _save(request, form)
        return redirect(article)
    return _render_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk):
    article = _get_article(request, pk, "news.change_article")
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    # The form writes rejected input into its instance; the page keeps the stored article.
    form = ArticleForm(data, files, user=request.user, instance=copy.copy(article))
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        return redirect(article)
    return _render_form(request, form, article)


def _save(request, form) -> Article:
    article = services.save_article(
        form.instance, tags=form.cleaned_data["tags"], places=form.places,
        quarters=form.quarters, image=form.new_image(), actor=request.user,
    )
    if article.is_published():
        messages.success(request, _("The article is published."))
    elif article.is_scheduled():
        messages.success(request, _("The article is saved and will be published on "
                                    "%(date)s.") % {"date": article.published_at.strftime(
                                        "%d.%m.%Y %H:%M")})
    else:
        messages.success(request, _("The draft is saved. Only its editors can see it."))
    return article


def _render_form(request, form, article):
    return render(request, "news/article_form.html", {
        "form": form,
        "article": article,
        "title": _("Edit “%(title)s”") % {"title": article.title} if article
        else _("Write an article"),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def article_delete(request, pk):
    article = _get_article(request, pk, "news.delete_article")
    if request.method == "POST":
        services.delete_article(article, actor=request.user)
        messages.success(request, _("“%(title)s” is deleted.") % {"title": article.title})
        return redirect("news:list")
    return render(request, "news/delete.html", {"article": article})


@login_required
def drafts(request):
    if not request.user.has_perm("news.add_article"):
        raise PermissionDenied
    return render(request, "news/drafts.html",
                  {"articles": services.editable_articles(request.user)[:200]})


@login_required
@require_http_methods(["POST"])
def comment(request, pk):
    article = _get_article(request, pk, "news.view_article")
    return post_comment(
        request, article,
        can_comment=request.user.has_perm("news.comment_article", article),
        comment_post_url=reverse("news:comment", args=[article.pk]),
        page_template="news/article.html",
        page_context=lambda **errors: _article_context(request, article, **errors),
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /i18n/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('news:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
