from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, re_path

from quartier.news import feeds, sitemaps, views

# The official key of a place of Baden-Württemberg (08, 084, 08416, 08416041).
AGS = r"(?P<ags>08\d{0,6})"

app_name = "news"
urlpatterns = [
    path("news/", views.news_list, name="list"),
    path("news/new/", views.article_create, name="article_create"),
    path("news/drafts/", views.drafts, name="drafts"),
    path("news/rss/", feeds.ArticlesFeed(), name="feed_rss"),
    path("news/atom/", feeds.ArticlesAtomFeed(), name="feed_atom"),
    path("news/tags/<slug:slug>/", views.tag_list, name="tag"),
    path("news/tags/<slug:slug>/rss/", feeds.TagFeed(), name="tag_rss"),
    path("news/tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag_atom"),
    re_path(rf"^news/places/{AGS}/$", views.place_list, name="place"),
    re_path(rf"^news/places/{AGS}/rss/$", feeds.PlaceFeed(), name="place_rss"),
    re_path(rf"^news/places/{AGS}/atom/$", feeds.PlaceAtomFeed(), name="place_atom"),
    path("news/quarters/<int:pk>/", views.quarter_list, name="quarter"),
    path("news/quarters/<int:pk>/rss/", feeds.QuarterFeed(), name="quarter_rss"),
    path("news/quarters/<int:pk>/atom/", feeds.QuarterAtomFeed(), name="quarter_atom"),
    path("news/<int:pk>/", views.article, name="article"),
    path("news/<int:pk>/image/", views.image, name="image"),
    path("news/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("news/<int:pk>/delete/", views.article_delete, name="article_delete"),
    path("news/<int:pk>/comments/", views.comment, name="comment"),
    # Project-wide: the sitemap of every public page and robots.txt pointing to it.
    path("sitemap.xml", sitemap_views.index,
         {"sitemaps": sitemaps.sitemaps(), "sitemap_url_name": "news:sitemap_section"},
         name="sitemap"),
    path("sitemap-<section>.xml", sitemap_views.sitemap,
         {"sitemaps": sitemaps.sitemaps()}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
