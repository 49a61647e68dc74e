"""Editors save articles at the same moment: on PostgreSQL, real connections."""

import threading

import pytest
from django.db import connection, connections

from quartier.news import engine, services
from quartier.news.models import Article, RelatedArticle
from quartier.news.tests.support import make_article, tag

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency"),
]


def test_parallel_saves_keep_every_related_list_whole(places_loaded):
    beratung = tag("beratung")
    for _ in range(6):
        make_article(title="Beratung", tags=[beratung])
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def write():
        try:
            barrier.wait()
            make_article(title="Beratung", tags=[beratung])
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Article.objects.count() == 14
    # Same tag, same text: every list holds the newest articles (the newer wins a tie),
    # as if the saves had come one after the other.
    newest = list(Article.objects.order_by("-pk").values_list("pk", flat=True))
    for article in Article.objects.all():
        found = list(RelatedArticle.objects.filter(article=article).order_by("rank")
                     .values_list("related_id", flat=True))
        assert found == [pk for pk in newest if pk != article.pk][:engine.RELATED_LIMIT]
    assert services.update_related(newest[0])  # still consistent afterwards
