"""services.comment_thread: pages of threads with their replies, in a fixed number of queries."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from quartier.participation import services
from quartier.participation.models import Comment


def bulk_comments(idea, author, *, threads, replies_each):
    """threads top-level comments with replies_each replies each, in time order."""
    content_type = ContentType.objects.get_for_model(idea)
    start = timezone.now() - timedelta(days=10)
    tops = Comment.objects.bulk_create([
        Comment(content_type=content_type, object_id=idea.pk, author=author, text=f"Thread {n}",
                created_at=start + timedelta(minutes=n))
        for n in range(threads)
    ])
    Comment.objects.bulk_create([
        Comment(content_type=content_type, object_id=idea.pk, author=author, parent=top,
                text=f"Reply {n}", created_at=top.created_at + timedelta(seconds=n + 1))
        for top in tops for n in range(replies_each)
    ])
    return tops


def test_threads_come_oldest_first_with_their_replies(idea, member, resident):
    first = services.add_comment(idea, "Erster", author=member)
    second = services.add_comment(idea, "Zweiter", author=resident)
    reply = services.add_comment(idea, "Antwort", author=resident, parent=first)
    thread = services.comment_thread(idea)
    assert list(thread) == [first, second]
    assert thread[0].reply_list == [reply] and thread[0].reply_total == 1
    assert thread[1].reply_list == [] and thread.total == 2 and thread.pages == 1


def test_pages_hold_twenty_threads_and_bad_page_numbers_fall_back(idea, member):
    bulk_comments(idea, member, threads=120, replies_each=0)
    assert services.comment_thread(idea, page=3)[0].text == "Thread 40"
    assert services.comment_thread(idea, page="x").number == 1
    assert services.comment_thread(idea, page=99).number == 6
    assert services.comment_thread(idea, page=-4).number == 1


def test_a_long_thread_shows_its_first_hundred_replies_and_says_how_many_there_are(idea, member):
    bulk_comments(idea, member, threads=1, replies_each=130)
    top = services.comment_thread(idea)[0]
    assert len(top.reply_list) == 100 and top.reply_total == 130
    assert top.reply_list[0].text == "Reply 0"


def test_five_hundred_comments_take_the_same_three_queries_as_one(idea, member,
                                                                  django_assert_num_queries):
    ContentType.objects.get_for_model(idea)  # cached for the process, as in production
    services.add_comment(idea, "Allein", author=member)
    with django_assert_num_queries(3):
        thread = services.comment_thread(idea)
        assert len(thread) == 1
    bulk_comments(idea, member, threads=99, replies_each=4)
    with django_assert_num_queries(3):
        thread = services.comment_thread(idea)
        assert len(thread) == 20 and sum(len(t.reply_list) for t in thread) == 80
        assert all(c.author.pk == member.pk for t in thread for c in [t, *t.reply_list])


def test_the_page_of_a_comment_is_the_page_of_its_thread(idea, member):
    tops = bulk_comments(idea, member, threads=60, replies_each=0)
    reply = services.add_comment(idea, "Spät", author=member, parent=tops[55])
    assert services.comment_page(tops[0]) == 1
    assert services.comment_page(reply) == 3
