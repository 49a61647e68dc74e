"""Who may do what in participation (docs/participation.md, "Permissions")."""

import rules

from quartier.participation import services
from quartier.participation.models import Comment, Idea, Meeting, Poll, Process


def _process_of(obj) -> Process | None:
    if isinstance(obj, Process):
        return obj
    if isinstance(obj, Idea | Poll | Meeting):
        return obj.process
    return None


@rules.predicate
def coordinates_quarter(user, quarter):
    return quarter is not None and services.coordinates(user, quarter)


@rules.predicate
def coordinates_process(user, obj):
    process = _process_of(obj)
    return process is not None and services.coordinates(user, process.quarter)


@rules.predicate
def is_published(user, obj):
    process = _process_of(obj)
    return process is not None and process.is_published()


@rules.predicate
def takes_part(user, obj):
    process = _process_of(obj)
    return process is not None and services.may_take_part(user, process)


@rules.predicate
def ideas_phase_open(user, process):
    return process is not None and process.accepts_ideas()


@rules.predicate
def comments_phase_open(user, idea):
    return idea is not None and not idea.hidden and idea.process.accepts_comments()


@rules.predicate
def support_phase_open(user, idea):
    return idea is not None and not idea.hidden and idea.process.accepts_support()


@rules.predicate
def may_change_idea(user, idea):
    return idea is not None and services.may_change_idea(user, idea)


@rules.predicate
def may_change_comment(user, comment):
    return (
        isinstance(comment, Comment) and comment.author_id == getattr(user, "pk", None)
        and not comment.hidden and not services.is_blocked(user) and services.is_verified(user)
        and services.target_comments_open(comment.target)
    )


@rules.predicate
def poll_open(user, poll):
    return poll is not None and poll.is_open()


@rules.predicate
def meeting_ahead(user, meeting):
    return meeting is not None and not meeting.is_past() and meeting.registration_open


@rules.predicate
def is_signed_in(user):
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def moderates(user, contribution):
    if contribution is None:
        return services.is_moderator(user)
    return services.may_moderate(user, services.moderation_ags(contribution))


# Processes: coordinators of the quarter's Gemeinde or Kreis (and programme staff).
rules.add_perm("participation.add_process", coordinates_quarter)
rules.add_perm("participation.change_process", coordinates_process)
rules.add_perm("participation.view_process", is_published | coordinates_process)
# Contributions: eligible (who may take part), verified, not blocked, in the right phase.
rules.add_perm("participation.add_idea", takes_part & ideas_phase_open)
rules.add_perm("participation.change_idea", may_change_idea)
rules.add_perm("participation.comment_idea", takes_part & comments_phase_open)
rules.add_perm("participation.change_comment", may_change_comment)
rules.add_perm("participation.support_idea", takes_part & support_phase_open)
rules.add_perm("participation.answer_idea", coordinates_process)
rules.add_perm("participation.vote_poll", takes_part & poll_open)
rules.add_perm("participation.register_meeting", takes_part & meeting_ahead)
rules.add_perm("participation.follow", is_signed_in)
rules.add_perm("participation.report", is_signed_in)
# Moderation: moderators of the place (or statewide), programme staff. Never editing.
rules.add_perm("participation.moderate", moderates)
