"""Demo participation: deterministic, marked, idempotent; and the benchmark's big process."""

import time

import pytest
from django.core.management import call_command

from conftest import make_quarter
from quartier.participation import services
from quartier.participation.demo import generate_demo, make_big_process
from quartier.participation.models import Comment, Idea, Process, Support


@pytest.fixture
def demo_quarters(tuebingen, ulm):
    return [make_quarter(tuebingen, name="Südstadt", is_demo=True),
            make_quarter(ulm, name="Weststadt", is_demo=True)]


def test_the_demo_fills_a_handful_of_quarters_once_marked_as_demo(demo_quarters):
    assert generate_demo(seed=1) == 4
    assert generate_demo(seed=1) == 0  # idempotent
    assert Process.objects.filter(is_demo=False).count() == 0
    assert Idea.objects.filter(is_demo=False).count() == 0
    assert Comment.objects.filter(is_demo=False).count() == 0
    for idea in Idea.objects.all():
        assert idea.support_count == idea.supports.count()
        assert idea.comment_count == Comment.objects.filter(object_id=idea.pk).count()
    open_process = Process.objects.get(title__startswith="Unser Südstadt")
    assert open_process.accepts_ideas() and open_process.polls.get().is_open()
    assert open_process.meetings.get().capacity == 6


def test_the_demo_is_the_same_for_the_same_seed(demo_quarters):
    generate_demo(seed=7)
    first = list(Idea.objects.order_by("pk").values_list("title", "x", "status"))
    Process.objects.all().delete()
    generate_demo(seed=7)
    assert list(Idea.objects.order_by("pk").values_list("title", "x", "status")) == first


def test_the_command_runs_and_says_what_it_did(demo_quarters, capsys, default_language):
    call_command("demo-participation", "--seed", "3")
    assert "4 Demo-Beteiligungsprozesse angelegt." in capsys.readouterr().out


def test_the_big_process_is_made_quickly_and_consistently(quarter):
    started = time.monotonic()
    big = make_big_process(quarter, ideas=2_000, comments=10_000, seed=5, participants=100)
    assert time.monotonic() - started < 60
    assert big.process.ideas.count() == 2_000
    assert Comment.objects.count() == 10_000
    busiest = big.busiest_idea
    assert busiest.comment_count == 500
    thread = services.comment_thread(busiest)
    assert thread.total == 100 and len(thread) == 20 and len(thread[0].reply_list) == 4
    assert sum(Idea.objects.values_list("comment_count", flat=True)) == 10_000
    assert sum(Idea.objects.values_list("support_count", flat=True)) == Support.objects.count()
    assert big.process.ideas.filter(x__isnull=False).count() == 1_500
