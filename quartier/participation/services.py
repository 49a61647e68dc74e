"""Participation: every write and every non-trivial query (docs/participation.md).

Comments, reports and moderation are generic: news articles use the same functions
(add_comment, comment_thread, report, hide, is_blocked).
"""

import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.accounts.models import Organisation, Role, User
from quartier.accounts.services import grants_of, is_programme_staff, record_event
from quartier.participation.models import (
    COMMENT_MAX_LENGTH,
    HIDE_REASON_MAX_LENGTH,
    IDEA_TEXT_MAX_LENGTH,
    Category,
    Comment,
    Follow,
    Idea,
    Meeting,
    Notification,
    ParticipantSettings,
    Phase,
    Poll,
    PollFreeText,
    PollOption,
    PollParticipation,
    Process,
    Registration,
    Report,
    Sanction,
    Support,
)

# Contributions per account within a time window (count, seconds); settings may override
# with PARTICIPATION_RATE_LIMITS = {"comment": (n, seconds), ...}.
RATE_LIMITS = {
    "comment": (10, 10 * 60),
    "idea": (5, 60 * 60),
    "report": (20, 60 * 60),
}
THREADS_PER_PAGE = 20
REPLIES_PER_THREAD = 100
IDEAS_PER_PAGE = 20
# Uploaded images: at most this many pixels are decoded, and stored at most this wide/high.
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_SIDE = 1600
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
# An idea's point may lie this far outside its quarter (a square just across the street).
POINT_TOLERANCE_M = 1_000

# Who may moderate: grants of this role; "" in a scope means the whole state.
STATEWIDE = ""


# Accounts: verified, blocked, names -------------------------------------------------------


def is_verified(user) -> bool:
    """The account has a verified e-mail address (allauth); cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_participation_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._participation_verified = cached
    return cached


def is_blocked(user) -> bool:
    """A moderator blocked the account and the block has neither ended nor been lifted.
    Cached on the user object, so one query per request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_participation_blocked", None)
    if cached is None:
        cached = Sanction.objects.filter(
            Q(until__isnull=True) | Q(until__gt=timezone.now()),
            user=user, kind=Sanction.Kind.BLOCK, lifted_at__isnull=True,
        ).exists()
        user._participation_blocked = cached
    return cached


def check_may_contribute(user) -> None:
    """Raise PermissionDenied (with a message) unless the user may write anything at all."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part."))
    if not is_verified(user):
        raise PermissionDenied(_("Confirm your e-mail address to take part."))
    if is_blocked(user):
        raise PermissionDenied(_("Your account is blocked from contributing."))


def display_name(user) -> str:
    """The name shown with a person's contributions; never the e-mail address."""
    if user is None:
        return shown_name(None, "", "")
    try:
        chosen = user.participation_settings.public_name
    except ObjectDoesNotExist:
        chosen = ""
    return shown_name(user.pk, chosen, user.get_full_name())


def shown_name(user_id: int | None, public_name: str | None, full_name: str) -> str:
    """display_name from its parts (for rows read without the user)."""
    if user_id is None:
        return _("Deleted account")
    return public_name or full_name or _("Participant %(number)s") % {"number": user_id}


def settings_of(user) -> ParticipantSettings:
    found = ParticipantSettings.objects.filter(user=user).first()
    return found or ParticipantSettings(user=user)


@transaction.atomic
def save_settings(user, *, public_name: str, in_platform: bool, by_email: bool):
    public_name = clean_text(public_name, field="public_name", max_length=60, required=False)
    before = settings_of(user).public_name
    ParticipantSettings.objects.update_or_create(
        user=user,
        defaults={"public_name": public_name, "in_platform": in_platform, "by_email": by_email},
    )
    if public_name != before:
        _bump_where_named(user)


def _bump_where_named(user) -> None:
    """New cache keys for the idea lists and comment threads that show the person's name."""
    commented = Comment.objects.filter(
        author=user, content_type=_target_type_of(Idea)
    ).values("object_id")
    Idea.objects.filter(pk__in=commented).update(comments_version=F("comments_version") + 1)
    Process.objects.filter(
        pk__in=Idea.objects.filter(author=user).values("process_id")
    ).update(version=F("version") + 1)


def check_rate_limit(user, kind: str) -> None:
    """Raise ValidationError when the account wrote too much too fast (no CAPTCHA)."""
    limits = getattr(settings, "PARTICIPATION_RATE_LIMITS", {})
    count, seconds = limits.get(kind, RATE_LIMITS[kind])
    since = timezone.now() - timedelta(seconds=seconds)
    if kind == "comment":
        recent = Comment.objects.filter(author=user, created_at__gte=since)
    elif kind == "idea":
        recent = Idea.objects.filter(author=user, created_at__gte=since)
    else:
        recent = Report.objects.filter(reporter=user, created_at__gte=since)
    if recent.count() >= count:
        raise ValidationError({NON_FIELD_ERRORS: _(
            "You have written a lot in a short time. Please wait a few minutes and try again."
        )})


_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Plain text as stored: control characters (NUL breaks PostgreSQL) removed, CRLF to LF,
    stripped; too long or (if required) empty is a ValidationError on `field`. The text is
    stored as typed and escaped when shown, so HTML in it stays inert."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL).strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: ngettext(
            "Write at most %(max)d character (it has %(length)d).",
            "Write at most %(max)d characters (it has %(length)d).", max_length,
        ) % {"max": max_length, "length": len(text)}})
    return text


# Notifications ----------------------------------------------------------------------------


def notify(users, text: str, url: str, *, exclude=None) -> None:
    """Tell people in their notification list and by e-mail, each as they chose.
    Call inside the transaction of the change; e-mails go out by a task after commit."""
    ids = {u.pk if hasattr(u, "pk") else u for u in users if u is not None}
    if exclude is not None:
        ids.discard(exclude.pk)
    if not ids:
        return
    chosen = {s.user_id: s for s in ParticipantSettings.objects.filter(user_id__in=ids)}
    in_platform = [i for i in ids if i not in chosen or chosen[i].in_platform]
    by_email = sorted(i for i in ids if i not in chosen or chosen[i].by_email)
    Notification.objects.bulk_create(
        [Notification(user_id=i, text=text[:500], url=url) for i in sorted(in_platform)]
    )
    if by_email:
        from quartier.participation.tasks import send_notification_mails

        transaction.on_commit(lambda: send_notification_mails.enqueue(by_email, text, url))


def site_url(path: str) -> str:
    """An absolute link for e-mails: SITE_URL (e.g. https://quartier.example) + path."""
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def notifications_of(user, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_notifications_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _followers(*, idea: Idea | None = None, process: Process | None = None) -> list[int]:
    condition = Q()
    if idea is not None:
        condition |= Q(idea=idea)
        process = process or idea.process
    if process is not None:
        condition |= Q(process=process)
    return list(Follow.objects.filter(condition).values_list("user_id", flat=True).distinct())


# Comments (the contract with news) ---------------------------------------------------------


def _target_type(target) -> ContentType:
    return ContentType.objects.get_for_model(type(target))


def moderation_ags(contribution) -> str:
    """The AGS whose moderators look after a contribution ("" = every moderator)."""
    if isinstance(contribution, Comment | Report):
        return contribution.ags
    method = getattr(contribution, "moderation_ags", None)
    return (method() if callable(method) else "") or STATEWIDE


@transaction.atomic
def add_comment(target, text, *, author, parent: Comment | None = None) -> Comment:
    """Add a plain-text comment to any object, or a reply to one of its comments.

    Checks the author (signed in, verified, not blocked), the text (not empty, at most
    COMMENT_MAX_LENGTH characters), the parent (same target, not hidden) and the rate limit;
    raises PermissionDenied or ValidationError (keyed "text", "parent" or "__all__") and saves
    nothing on bad input. Whether the target accepts comments now (an open phase, a
    published article) is for the target's app to check before calling.
    """
    check_may_contribute(author)
    text = clean_text(text, field="text", max_length=COMMENT_MAX_LENGTH)
    content_type = _target_type(target)
    if parent is not None:
        if parent.content_type_id != content_type.pk or parent.object_id != target.pk:
            raise ValidationError({"parent": _("You can only reply to a comment on this page.")})
        if parent.hidden:
            raise ValidationError({"parent": _(
                "This comment was hidden by moderation and cannot be answered."
            )})
        if parent.parent_id is not None:
            # One level of replies: a reply to a reply joins its thread.
            parent = Comment.objects.get(pk=parent.parent_id)
            if parent.hidden:
                raise ValidationError({"parent": _(
                    "This thread was hidden by moderation and cannot be answered."
                )})
    check_rate_limit(author, "comment")
    comment = Comment.objects.create(
        content_type=content_type, object_id=target.pk, parent=parent, author=author,
        text=text, ags=moderation_ags(target),
    )
    if isinstance(target, Idea):
        Idea.objects.filter(pk=target.pk).update(
            comment_count=F("comment_count") + 1, comments_version=F("comments_version") + 1
        )
        _bump(target.process_id)
        # Followers of the idea only: a process's followers would drown in comments.
        notify(Follow.objects.filter(idea=target).values_list("user_id", flat=True),
               _("New comment on the idea “%(title)s”.") % {"title": target.title},
               comment.get_absolute_url(), exclude=author)
    if parent is not None and parent.author_id and parent.author_id != author.pk:
        notify([parent.author_id], _("Someone replied to your comment."),
               comment.get_absolute_url())
    return comment


@transaction.atomic
def edit_comment(comment: Comment, text, *, actor) -> Comment:
    """The author corrects their comment; only while the target accepts comments (its
    comments_open() method, if it has one) and while the comment is not hidden."""
    check_may_contribute(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("You can only edit your own comments."))
    if comment.hidden:
        raise PermissionDenied(_("A hidden comment cannot be edited."))
    if not target_comments_open(comment.target):
        raise PermissionDenied(_("Comments can no longer be changed here."))
    comment.text = clean_text(text, field="text", max_length=COMMENT_MAX_LENGTH)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    _bump_thread(comment.target)
    return comment


def target_comments_open(target) -> bool:
    method = getattr(target, "comments_open", None)
    return bool(method()) if callable(method) else False


# What a thread shows of a comment and its author (fewer fields, faster rows).
COMMENT_FIELDS = (
    "content_type_id", "object_id", "parent_id", "text", "hidden", "hidden_reason",
    "created_at", "edited_at", "author_id", "author__first_name", "author__last_name",
    "author__participation_settings__public_name",
)


class Thread(list):
    """One page of a target's comment threads: top-level comments, each with `.reply_list`
    (at most REPLIES_PER_THREAD, in order) and `.reply_total`."""

    def __init__(self, comments, *, number: int, pages: int, total: int):
        super().__init__(comments)
        self.number = number
        self.pages = pages
        self.total = total

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def comment_thread(target, *, page=1, per_page: int = THREADS_PER_PAGE) -> Thread:
    """The comment threads of a target, oldest first, one page of per_page threads with
    their replies and authors: three queries, however many comments there are."""
    content_type = _target_type(target)
    top = Comment.objects.filter(content_type=content_type, object_id=target.pk, parent=None)
    total = top.count()
    pages = max(1, math.ceil(total / per_page))
    try:
        number = min(max(1, int(page or 1)), pages)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    comments = list(
        top.select_related("author__participation_settings").only(*COMMENT_FIELDS)
        .order_by("created_at", "pk")[start:start + per_page]
    )
    by_id = {comment.pk: comment for comment in comments}
    for comment in comments:
        comment.reply_list = []
        comment.reply_total = 0
    if comments:
        replies = (
            Comment.objects.filter(parent_id__in=by_id)
            .select_related("author__participation_settings").only(*COMMENT_FIELDS)
            .annotate(
                position=Window(RowNumber(), partition_by=[F("parent_id")],
                                order_by=[F("created_at").asc(), F("pk").asc()]),
                reply_total=Window(Count("pk"), partition_by=[F("parent_id")]),
            )
            .filter(position__lte=REPLIES_PER_THREAD)
            .order_by("parent_id", "created_at", "pk")
        )
        for reply in replies:
            parent = by_id[reply.parent_id]
            parent.reply_list.append(reply)
            parent.reply_total = reply.reply_total
    return Thread(comments, number=number, pages=pages, total=total)


def comment_page(comment: Comment, *, per_page: int = THREADS_PER_PAGE) -> int:
    """The page of comment_thread that shows this comment (its thread's page)."""
    root = comment.parent if comment.parent_id else comment
    before = Comment.objects.filter(
        Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk),
        content_type_id=root.content_type_id, object_id=root.object_id, parent=None,
    ).count()
    return before // per_page + 1


@transaction.atomic
def delete_comments_of(target) -> int:
    """Delete every comment of a target and their reports (when the target is deleted:
    generic relations do not cascade). Returns how many comments."""
    content_type = _target_type(target)
    comments = Comment.objects.filter(content_type=content_type, object_id=target.pk)
    ids = list(comments.values_list("pk", flat=True))
    Report.objects.filter(content_type=_target_type_of(Comment), object_id__in=ids).delete()
    Comment.objects.filter(pk__in=ids, parent__isnull=False).delete()
    Comment.objects.filter(pk__in=ids).delete()
    return len(ids)


def _target_type_of(model) -> ContentType:
    return ContentType.objects.get_for_model(model)


def comment_count(target) -> int:
    return Comment.objects.filter(
        content_type=_target_type(target), object_id=target.pk
    ).count()


# Reports and moderation (generic over Comment and Idea) -----------------------------------


def moderation_scopes(user) -> frozenset[str]:
    """AGS prefixes the user moderates: a Kommune's moderators its Gemeinde, a Landkreis'
    its Kreis, the Land's (and programme staff) the whole state (STATEWIDE)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    scopes = {g.ags or STATEWIDE for g in grants_of(user) if g.role == Role.MODERATOR}
    if is_programme_staff(user):
        scopes.add(STATEWIDE)
    return frozenset(scopes)


def is_moderator(user) -> bool:
    return bool(moderation_scopes(user))


def may_moderate(user, ags: str) -> bool:
    """Contributions without a place (ags "") are moderated by every moderator."""
    scopes = moderation_scopes(user)
    if not scopes:
        return False
    return not ags or STATEWIDE in scopes or any(ags.startswith(s) for s in scopes)


@transaction.atomic
def report(contribution, reason: str, *, reporter, explanation: str = "") -> Report:
    """Anyone signed in reports a contribution with a reason; reporting the same thing again
    returns the open report. Raises ValidationError on a bad reason, PermissionDenied for
    anonymous reporters."""
    if not getattr(reporter, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to report a contribution."))
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": _("Choose one of the reasons.")})
    explanation = clean_text(explanation, field="explanation", max_length=1000, required=False)
    if reason == Report.Reason.OTHER and not explanation:
        raise ValidationError({"explanation": _("Say briefly what is wrong.")})
    if contribution.hidden:
        raise ValidationError({NON_FIELD_ERRORS: _("This contribution is already hidden.")})
    content_type = _target_type(contribution)
    existing = Report.objects.filter(
        content_type=content_type, object_id=contribution.pk, reporter=reporter
    ).first()
    if existing is not None:
        if existing.resolved_at is None:
            return existing
        raise ValidationError({NON_FIELD_ERRORS: _(
            "You have reported this before and moderators have looked at it."
        )})
    check_rate_limit(reporter, "report")
    try:
        with transaction.atomic():
            return Report.objects.create(
                content_type=content_type, object_id=contribution.pk, reporter=reporter,
                reason=reason, explanation=explanation, ags=moderation_ags(contribution),
            )
    except IntegrityError:  # the same person's second click, at the same moment
        return Report.objects.get(
            content_type=content_type, object_id=contribution.pk, reporter=reporter
        )


@dataclass
class QueueItem:
    contribution: object
    kind: str
    reports: list = field(default_factory=list)


def contribution_models() -> dict[str, type]:
    return {"comment": Comment, "idea": Idea}


def kind_of(contribution) -> str:
    return "idea" if isinstance(contribution, Idea) else "comment"


def report_queue(user, *, limit: int = 100) -> list[QueueItem]:
    """Open reports the user may moderate, grouped by contribution, oldest first. A fixed
    number of queries: the reports, then one per kind of contribution."""
    scopes = moderation_scopes(user)
    if not scopes:
        return []
    reports = Report.objects.filter(resolved_at__isnull=True)
    if STATEWIDE not in scopes:
        condition = Q(ags="")
        for scope in scopes:
            condition |= Q(ags__startswith=scope)
        reports = reports.filter(condition)
    reports = list(reports.order_by("created_at", "pk")[:limit * 5])
    models = {ContentType.objects.get_for_model(m).pk: (k, m)
              for k, m in contribution_models().items()}
    wanted: dict[int, set[int]] = {}
    for item in reports:
        if item.content_type_id in models:
            wanted.setdefault(item.content_type_id, set()).add(item.object_id)
    loaded: dict[tuple[int, int], object] = {}
    for type_id, ids in wanted.items():
        kind, model = models[type_id]
        related = ["author__participation_settings"]
        related += ["process"] if model is Idea else []
        objects = model.objects.filter(pk__in=ids).select_related(*related)
        if model is Comment:
            objects = objects.prefetch_related("target")  # one query per kind of target
        for obj in objects:
            loaded[(type_id, obj.pk)] = obj
    items: dict[tuple[int, int], QueueItem] = {}
    for item in reports:
        key = (item.content_type_id, item.object_id)
        if key not in loaded:
            continue
        if key not in items:
            items[key] = QueueItem(loaded[key], models[item.content_type_id][0])
        items[key].reports.append(item)
    return list(items.values())[:limit]


def open_reports(contribution) -> list[Report]:
    return list(Report.objects.filter(
        content_type=_target_type(contribution), object_id=contribution.pk,
        resolved_at__isnull=True,
    ).order_by("created_at"))


def _check_moderator(contribution, moderator) -> None:
    if not may_moderate(moderator, moderation_ags(contribution)):
        raise PermissionDenied(_("You do not moderate this place."))


def _resolve_reports(contribution, *, moderator, resolution: str) -> int:
    return Report.objects.filter(
        content_type=_target_type(contribution), object_id=contribution.pk,
        resolved_at__isnull=True,
    ).update(resolved_at=timezone.now(), resolved_by=moderator, resolution=resolution)


def _bump(process_id: int, *, map: bool = False) -> None:
    """The process's public lists changed (and its map, with map=True): new cache keys."""
    changes = {"version": F("version") + 1}
    if map:
        changes["map_version"] = F("map_version") + 1
    Process.objects.filter(pk=process_id).update(**changes)


def _bump_map(process_id: int) -> None:
    _bump(process_id, map=True)


def _bump_thread(target) -> None:
    """A comment of an idea changed: new cache key for the idea's threads."""
    if isinstance(target, Idea):
        Idea.objects.filter(pk=target.pk).update(comments_version=F("comments_version") + 1)


@transaction.atomic
def hide(contribution, reason: str, *, moderator):
    """Hide a Comment or an Idea with a public reason; its replies stay readable. Resolves
    the open reports, logs the action and tells the author. Moderators never change the
    text itself."""
    _check_moderator(contribution, moderator)
    reason = clean_text(reason, field="reason", max_length=HIDE_REASON_MAX_LENGTH)
    model = type(contribution)
    locked = model.objects.select_for_update().get(pk=contribution.pk)
    if locked.hidden:
        raise ValidationError({NON_FIELD_ERRORS: _("This contribution is already hidden.")})
    now = timezone.now()
    model.objects.filter(pk=locked.pk).update(
        hidden=True, hidden_reason=reason, hidden_at=now, hidden_by=moderator
    )
    resolved = _resolve_reports(locked, moderator=moderator, resolution=Report.Resolution.HIDDEN)
    if isinstance(locked, Idea):
        _bump_map(locked.process_id)
    else:
        _bump_thread(locked.target)
    record_event(
        "participation.hidden", locked, actor=moderator,
        summary=_("Hidden: %(reason)s") % {"reason": reason},
        reason=reason, author=locked.author_id, reports=resolved,
    )
    if locked.author_id:
        notify([locked.author_id],
               _("A moderator hid your contribution. Reason: %(reason)s") % {"reason": reason},
               locked.get_absolute_url())
    contribution.hidden, contribution.hidden_reason = True, reason
    contribution.hidden_at, contribution.hidden_by = now, moderator
    return contribution


@transaction.atomic
def unhide(contribution, *, moderator):
    """Show a hidden contribution again (a moderator's mistake); logged."""
    _check_moderator(contribution, moderator)
    model = type(contribution)
    updated = model.objects.filter(pk=contribution.pk, hidden=True).update(
        hidden=False, hidden_reason="", hidden_at=None, hidden_by=None
    )
    if not updated:
        raise ValidationError({NON_FIELD_ERRORS: _("This contribution is not hidden.")})
    if isinstance(contribution, Idea):
        _bump_map(contribution.process_id)
    else:
        _bump_thread(contribution.target)
    record_event("participation.unhidden", contribution, actor=moderator,
                 summary=_("Shown again"))
    contribution.hidden, contribution.hidden_reason = False, ""
    return contribution


@transaction.atomic
def dismiss_reports(contribution, *, moderator) -> int:
    """The reports were unfounded: close them without hiding anything; logged."""
    _check_moderator(contribution, moderator)
    resolved = _resolve_reports(
        contribution, moderator=moderator, resolution=Report.Resolution.DISMISSED
    )
    record_event("participation.reports_dismissed", contribution, actor=moderator,
                 summary=_("Reports dismissed"), reports=resolved)
    return resolved


def may_sanction(moderator, user) -> bool:
    """Statewide moderators and programme staff warn or block any account; a place's
    moderators the accounts that wrote or reported something they moderate (a block holds
    everywhere, so it needs a reason in their place)."""
    scopes = moderation_scopes(moderator)
    if not scopes:
        return False
    if STATEWIDE in scopes:
        return True
    in_scope = Q(ags="")
    idea_in_scope = Q()
    for scope in scopes:
        in_scope |= Q(ags__startswith=scope)
        idea_in_scope |= Q(process__quarter__gemeinde__ags__startswith=scope)
    return (Comment.objects.filter(in_scope, author=user).exists()
            or Idea.objects.filter(idea_in_scope, author=user).exists()
            or Report.objects.filter(in_scope, reporter=user).exists())


def _check_sanction(user, moderator, reason: str) -> str:
    if user.pk == moderator.pk and is_moderator(moderator):
        raise ValidationError({NON_FIELD_ERRORS: _("You cannot warn or block yourself.")})
    if not may_sanction(moderator, user):
        raise PermissionDenied(_("Only moderators of a place this account took part in warn "
                                 "or block it."))
    return clean_text(reason, field="reason", max_length=1000)


@transaction.atomic
def warn(user, reason: str, *, moderator) -> Sanction:
    """Warn an account: the person reads the reason in their notifications and e-mail."""
    reason = _check_sanction(user, moderator, reason)
    sanction = Sanction.objects.create(
        user=user, kind=Sanction.Kind.WARNING, reason=reason, moderator=moderator
    )
    record_event("participation.warned", user, actor=moderator,
                 summary=_("Warned: %(reason)s") % {"reason": reason}, reason=reason)
    notify([user], _("A moderator warned you: %(reason)s") % {"reason": reason},
           reverse("participation:notifications"))
    return sanction


@transaction.atomic
def block(user, reason: str, *, moderator, until=None) -> Sanction:
    """Block an account from contributing (until a time, or until lifted); logged."""
    reason = _check_sanction(user, moderator, reason)
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": _("The end of a block must lie in the future.")})
    sanction = Sanction.objects.create(
        user=user, kind=Sanction.Kind.BLOCK, reason=reason, moderator=moderator, until=until
    )
    record_event(
        "participation.blocked", user, actor=moderator,
        summary=_("Blocked: %(reason)s") % {"reason": reason}, reason=reason,
        until=until.isoformat() if until else None,
    )
    notify([user], _("A moderator blocked your account from contributing: %(reason)s")
           % {"reason": reason}, reverse("participation:notifications"))
    user._participation_blocked = True
    return sanction


@transaction.atomic
def unblock(user, *, moderator) -> int:
    if not may_sanction(moderator, user):
        raise PermissionDenied(_("Only moderators of a place this account took part in warn "
                                 "or block it."))
    lifted = Sanction.objects.filter(
        user=user, kind=Sanction.Kind.BLOCK, lifted_at__isnull=True
    ).update(lifted_at=timezone.now(), lifted_by=moderator)
    if not lifted:
        raise ValidationError({NON_FIELD_ERRORS: _("This account is not blocked.")})
    record_event("participation.unblocked", user, actor=moderator, summary=_("Block lifted"))
    user._participation_blocked = False
    return lifted


def sanctions_of(user) -> list[Sanction]:
    return list(Sanction.objects.filter(user=user).select_related("moderator"))


def recent_contributions(user, *, limit: int = 20) -> dict:
    return {
        "ideas": list(Idea.objects.filter(author=user).order_by("-created_at")[:limit]),
        "comments": list(Comment.objects.filter(author=user).order_by("-created_at")[:limit]),
    }


# Processes --------------------------------------------------------------------------------


def coordinates(user, quarter) -> bool:
    """Coordinators of the quarter's Gemeinde or Kreis, and programme staff."""
    if is_programme_staff(user):
        return True
    ags = quarter.gemeinde.ags
    return any(
        ags.startswith(g.ags) for g in grants_of(user)
        if g.role == Role.MUNICIPAL_COORDINATOR and g.ags
    )


def invited_ids(process: Process) -> frozenset[int]:
    cached = getattr(process, "_invited_ids", None)
    if cached is None:
        cached = frozenset(process.invited_organisations.values_list("pk", flat=True))
        process._invited_ids = cached
    return cached


def is_eligible(user, process: Process) -> bool:
    """Who may take part, as the coordinator set it (apart from phases and blocks)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if process.participants == Process.Participants.REGISTERED:
        return True
    grants = grants_of(user)
    if process.participants == Process.Participants.RESIDENTS:
        ags = process.quarter.gemeinde.ags
        return any(g.role == Role.RESIDENT and g.organisation_kind == Organisation.Kind.KOMMUNE
                   and g.ags == ags for g in grants)
    invited = invited_ids(process)
    return any(g.organisation_id in invited for g in grants)


def may_take_part(user, process: Process) -> bool:
    return (process.is_published() and is_eligible(user, process) and is_verified(user)
            and not is_blocked(user))


def why_not_take_part(user, process: Process) -> str:
    """In words, why the user cannot contribute to the process (or "")."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in to take part.")
    if not is_verified(user):
        return _("Confirm your e-mail address to take part.")
    if is_blocked(user):
        return _("Your account is blocked from contributing.")
    if not is_eligible(user, process):
        if process.participants == Process.Participants.RESIDENTS:
            return _("Only registered residents of %(gemeinde)s take part in this process.") % {
                "gemeinde": process.quarter.gemeinde.name}
        return _("Only members of the invited organisations take part in this process.")
    return ""


def _check_take_part(user, process: Process) -> None:
    check_may_contribute(user)
    if not process.is_published() or not is_eligible(user, process):
        raise PermissionDenied(why_not_take_part(user, process) or _("This process is closed."))


@dataclass
class PhaseData:
    kind: str
    starts_at: object
    ends_at: object
    description: str = ""
    budget: object = None


def _check_phases(phases: list[PhaseData], quarter) -> None:
    for number, phase in enumerate(phases, start=1):
        if phase.kind not in Phase.Kind.values:
            raise ValidationError({"phases": _("Phase %(n)d has no valid kind.") % {"n": number}})
        if not phase.starts_at or not phase.ends_at or phase.starts_at >= phase.ends_at:
            raise ValidationError({"phases": _("Phase %(n)d must end after it starts.")
                                   % {"n": number}})
        if phase.budget is not None and (
            phase.kind != Phase.Kind.BUDGET or phase.budget.quarter_id != quarter.pk
        ):
            raise ValidationError({"phases": _(
                "Phase %(n)d: only a quarter-budget phase links a budget of this quarter."
            ) % {"n": number}})


PROCESS_FIELDS = ("title", "goal", "open_for_decision", "not_open_for_decision",
                  "summary_simple", "participants", "result", "result_simple")
PROCESS_LIMITS = {"title": 200, "goal": 4000, "open_for_decision": 2000,
                  "not_open_for_decision": 2000, "summary_simple": 4000, "result": 8000,
                  "result_simple": 4000}


def _process_values(values: dict) -> dict:
    clean = {}
    for name, limit in PROCESS_LIMITS.items():
        if name in values:
            required = name in ("title", "goal", "open_for_decision")
            clean[name] = clean_text(values[name], field=name, max_length=limit,
                                     required=required)
    if "participants" in values:
        if values["participants"] not in Process.Participants.values:
            raise ValidationError({"participants": _("Choose who may take part.")})
        clean["participants"] = values["participants"]
    return clean


@transaction.atomic
def create_process(quarter, *, actor, phases: list[PhaseData], invited=(), **values) -> Process:
    """A coordinator of the quarter's Gemeinde or Kreis opens a process (as a draft)."""
    if not coordinates(actor, quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde open processes here."))
    clean = _process_values(values)
    _check_phases(phases, quarter)
    process = Process.objects.create(quarter=quarter, created_by=actor, **clean)
    process.invited_organisations.set(list(invited))
    _replace_phases(process, phases)
    record_event("participation.process_created", process, actor=actor,
                 summary=process.title)
    return process


@transaction.atomic
def change_process(process: Process, *, actor, phases: list[PhaseData] | None = None,
                   invited=None, **values) -> Process:
    if not coordinates(actor, process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde change this process."))
    clean = _process_values(values)
    if phases is not None:
        _check_phases(phases, process.quarter)
    for name, value in clean.items():
        setattr(process, name, value)
    # Only these fields: the counters and cache versions are changed by F() elsewhere.
    process.save(update_fields=[*clean, "updated_at"])
    _bump(process.pk, map=True)
    if invited is not None:
        process.invited_organisations.set(list(invited))
        process._invited_ids = None
    if phases is not None:
        _replace_phases(process, phases)
    record_event("participation.process_changed", process, actor=actor,
                 summary=process.title, fields=sorted(clean))
    if "result" in clean and clean["result"]:
        notify(_followers(process=process),
               _("The process “%(title)s” has news about its result.") % {"title": process.title},
               process.get_absolute_url(), exclude=actor)
    return process


def _replace_phases(process: Process, phases: list[PhaseData]) -> None:
    """Keep phases that are unchanged in kind (polls hang on them), replace the rest."""
    existing = list(process.phases.order_by("starts_at", "pk"))
    kept = []
    for index, data in enumerate(phases):
        if index < len(existing) and existing[index].kind == data.kind:
            phase = existing[index]
            phase.starts_at, phase.ends_at = data.starts_at, data.ends_at
            phase.description, phase.budget = data.description, data.budget
            phase.save()
        else:
            phase = Phase.objects.create(
                process=process, kind=data.kind, starts_at=data.starts_at,
                ends_at=data.ends_at, description=data.description, budget=data.budget,
            )
        kept.append(phase.pk)
    removable = process.phases.exclude(pk__in=kept)
    if removable.filter(polls__isnull=False).exists():
        raise ValidationError({"phases": _("A phase with polls cannot be removed; "
                                           "move its polls first.")})
    removable.delete()
    process.__dict__.pop("phase_list", None)


@transaction.atomic
def publish_process(process: Process, *, actor) -> Process:
    if not coordinates(actor, process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde change this process."))
    if not process.phases.exists():
        raise ValidationError({NON_FIELD_ERRORS: _("Add at least one phase before publishing.")})
    process.status = Process.Status.PUBLISHED
    process.save(update_fields=["status", "updated_at"])
    _bump(process.pk, map=True)
    record_event("participation.process_published", process, actor=actor, summary=process.title)
    return process


def process_queryset():
    return Process.objects.select_related("quarter__gemeinde")


def _idea_total():
    """Visible ideas per process, counted on the partial index (a join and GROUP BY would
    read every idea's row)."""
    count = (Idea.objects.filter(process=OuterRef("pk"), hidden=False).order_by()
             .values("process").annotate(total=Count("pk")).values("total"))
    return Coalesce(Subquery(count), 0)


def processes_overview(*, page=1, per_page: int = 20):
    """Published processes of all quarters, newest first; a fixed number of queries."""
    processes = (process_queryset().published().prefetch_related("phases")
                 .annotate(idea_total=_idea_total()).order_by("-created_at", "-pk"))
    return Paginator(processes, per_page).get_page(page)


def quarter_processes(quarter, *, user) -> list[Process]:
    """The quarter's processes (drafts too for its coordinators), with phases and idea
    counts; two queries."""
    processes = Process.objects.filter(quarter=quarter).select_related("quarter__gemeinde")
    if not coordinates(user, quarter):
        processes = processes.published()
    return list(
        processes.prefetch_related("phases").annotate(idea_total=_idea_total())
        .order_by("-created_at", "-pk")
    )


def public_processes():
    """Published processes, for the sitemap (each has get_absolute_url and updated_at)."""
    return Process.objects.published().order_by("pk")


def public_ideas():
    """Visible ideas of published processes, for the sitemap (get_absolute_url, edited_at,
    created_at)."""
    return (Idea.objects.visible().filter(process__status=Process.Status.PUBLISHED)
            .only("pk", "created_at", "edited_at").order_by("pk"))


def quarter_budgets(quarter) -> list:
    from quartier.pb import services as pb

    return pb.budgets_of(quarter)


# Ideas ------------------------------------------------------------------------------------


def reencode_image(upload) -> ContentFile:
    """A checked upload decoded with Pillow and written anew: metadata (EXIF, GPS) gone,
    turned upright, at most IMAGE_MAX_SIDE pixels wide and high, JPEG (PNG if transparent).
    Raises ValidationError for anything that is not a readable JPEG, PNG or WebP."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    error = ValidationError({"image": _("The image must be a JPEG, PNG or WebP file.")})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise error
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise ValidationError({"image": _("The image has too many pixels.")})
            image.load()
            image = ImageOps.exif_transpose(image)
            transparent = image.mode in ("RGBA", "LA") or (
                image.mode == "P" and "transparency" in image.info
            )
            image = image.convert("RGBA" if transparent else "RGB")
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = BytesIO()
            if transparent:
                image.save(out, "PNG", optimize=True)
                extension = "png"
            else:
                image.save(out, "JPEG", quality=85, optimize=True)
                extension = "jpg"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise error from None
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(10)}.{extension}")


IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def image_type(name: str) -> str:
    return IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def check_point(quarter, lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 point as EPSG:25832, if it lies in or near the quarter."""
    import shapely

    from quartier.places import geo

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": _("This is not a point on the map.")})
    x, y = geo.lonlat_to_utm(lon, lat)
    boundary = geo.loads(quarter.boundary) if quarter.boundary else None
    if boundary is not None and boundary.distance(shapely.Point(x, y)) > POINT_TOLERANCE_M:
        raise ValidationError({"lat": _("The point lies outside the quarter %(name)s.")
                               % {"name": quarter.name}})
    return round(x, 2), round(y, 2)


IDEA_LIMITS = {"title": 200, "text": IDEA_TEXT_MAX_LENGTH, "text_simple": IDEA_TEXT_MAX_LENGTH,
               "image_alt": 300, "location_text": 200}


def _idea_values(values: dict) -> dict:
    clean = {}
    for name, limit in IDEA_LIMITS.items():
        if name in values:
            clean[name] = clean_text(values[name], field=name, max_length=limit,
                                     required=name in ("title", "text"))
    if "category" in values:
        if values["category"] not in Category.values:
            raise ValidationError({"category": _("Choose a category.")})
        clean["category"] = values["category"]
    return clean


def check_may_propose(user, process: Process) -> None:
    _check_take_part(user, process)
    if not process.accepts_ideas():
        raise ValidationError({NON_FIELD_ERRORS: _(
            "Ideas can only be proposed while the phase “Collecting ideas” is open."
        )})


@transaction.atomic
def propose_idea(process: Process, *, author, point=None, image: ContentFile | None = None,
                 **values) -> Idea:
    """A participant proposes an idea while the ideas phase is open. point is (x, y) in
    EPSG:25832 (see check_point), image a re-encoded file (see reencode_image)."""
    check_may_propose(author, process)
    clean = _idea_values(values)
    if image is not None and not clean.get("image_alt"):
        raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})
    check_rate_limit(author, "idea")
    idea = Idea(process=process, author=author, **clean)
    if not image:
        idea.image_alt = ""
    if point is not None:
        idea.x, idea.y = point
    if image is not None:
        idea.image.save(image.name, image, save=False)
    idea.save()
    _bump_map(process.pk)
    Follow.objects.get_or_create(user=author, idea=idea)
    record_event("participation.idea_proposed", idea, actor=author, summary=idea.title)
    return idea


def may_change_idea(user, idea: Idea) -> bool:
    return (getattr(user, "is_authenticated", False) and idea.author_id == user.pk
            and not idea.hidden and idea.process.accepts_ideas()
            and may_take_part(user, idea.process))


@transaction.atomic
def change_idea(idea: Idea, *, actor, point=..., image=..., **values) -> Idea:
    """The author changes their idea while the ideas phase is open. point/image: leave out
    to keep, None to remove, a value to replace."""
    check_may_contribute(actor)
    if idea.author_id != actor.pk:
        raise PermissionDenied(_("You can only change your own ideas."))
    if idea.hidden:
        raise PermissionDenied(_("A hidden idea cannot be changed."))
    if not idea.process.accepts_ideas():
        raise ValidationError({NON_FIELD_ERRORS: _(
            "Ideas can only be changed while the phase “Collecting ideas” is open."
        )})
    clean = _idea_values(values)
    for name, value in clean.items():
        setattr(idea, name, value)
    if point is not ...:
        idea.x, idea.y = point if point is not None else (None, None)
    if image is None:
        idea.image = ""
        idea.image_alt = ""
    elif image is not ...:
        idea.image.save(image.name, image, save=False)
    if idea.image and not idea.image_alt:
        raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})
    idea.edited_at = timezone.now()
    # Only what the author changes: support and comment counters move at the same time.
    idea.save(update_fields=[*clean, "x", "y", "image", "image_alt", "edited_at"])
    _bump_map(idea.process_id)
    record_event("participation.idea_changed", idea, actor=actor, summary=idea.title)
    return idea


def check_may_support(user, idea: Idea) -> None:
    _check_take_part(user, idea.process)
    if idea.hidden:
        raise ValidationError({NON_FIELD_ERRORS: _("A hidden idea cannot be supported.")})
    if not idea.process.accepts_support():
        raise ValidationError({NON_FIELD_ERRORS: _(
            "Support can only be given or withdrawn while ideas are collected or discussed."
        )})


@transaction.atomic
def support_idea(idea: Idea, *, user) -> bool:
    """Support an idea once per account (a database constraint): parallel requests of the
    same account count once. Returns False if the account supported it already."""
    check_may_support(user, idea)
    try:
        with transaction.atomic():
            Support.objects.create(idea=idea, user=user)
    except IntegrityError:
        return False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    _bump(idea.process_id)
    return True


@transaction.atomic
def withdraw_support(idea: Idea, *, user) -> bool:
    """Withdraw support (changeable until the phase ends). False if there was none."""
    check_may_support(user, idea)
    deleted, _detail = Support.objects.filter(idea=idea, user=user).delete()
    if not deleted:
        return False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    _bump(idea.process_id)
    return True


def supported_ids(user, ideas) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = [idea.pk for idea in ideas]
    return set(Support.objects.filter(user=user, idea_id__in=ids).values_list("idea_id",
                                                                               flat=True))


@transaction.atomic
def answer_idea(idea: Idea, *, actor, status: str, answer: str = "",
                status_reason: str = "") -> Idea:
    """The coordinator's official answer and the idea's status (not feasible needs a
    reason). Followers of the idea and of its process are told."""
    if not coordinates(actor, idea.process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde answer ideas."))
    if status not in Idea.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    answer = clean_text(answer, field="answer", max_length=4000, required=False)
    status_reason = clean_text(status_reason, field="status_reason", max_length=2000,
                               required=False)
    if status == Idea.Status.NOT_FEASIBLE and not status_reason:
        raise ValidationError({"status_reason": _("Say why the idea is not feasible.")})
    old_status, old_answer = idea.status, idea.answer
    idea.status, idea.status_reason = status, status_reason
    if answer != old_answer:
        idea.answer = answer
        idea.answered_at = timezone.now() if answer else None
        idea.answered_by = actor if answer else None
    idea.save(update_fields=["status", "status_reason", "answer", "answered_at", "answered_by"])
    _bump(idea.process_id, map=old_status != status)
    record_event("participation.idea_answered", idea, actor=actor,
                 summary=_("Status: %(status)s") % {"status": idea.get_status_display()},
                 status=status, old_status=old_status)
    changes = []
    if old_status != status:
        changes.append(_("The idea “%(title)s” is now: %(status)s.")
                       % {"title": idea.title, "status": idea.get_status_display()})
    if answer and answer != old_answer:
        changes.append(_("The idea “%(title)s” has an official answer.") % {"title": idea.title})
    if changes:
        notify(_followers(idea=idea), " ".join(changes), idea.get_absolute_url(), exclude=actor)
    return idea


@transaction.atomic
def follow(user, *, idea: Idea | None = None, process: Process | None = None) -> bool:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to follow."))
    _created = False
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, idea=idea, process=process)
            _created = True
    except IntegrityError:
        pass
    return _created


@transaction.atomic
def unfollow(user, *, idea: Idea | None = None, process: Process | None = None) -> bool:
    deleted, _detail = Follow.objects.filter(user=user, idea=idea, process=process).delete()
    return bool(deleted)


def follows(user, *, idea=None, process=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(user=user, idea=idea, process=process).exists()


SORTS = {"new": ("-created_at", "-pk"), "old": ("created_at", "pk"),
         "support": ("-support_count", "-created_at", "-pk"),
         "comments": ("-comment_count", "-created_at", "-pk")}


@dataclass(frozen=True)
class IdeaFilter:
    category: str = ""
    status: str = ""
    q: str = ""
    sort: str = "new"


def idea_page(process: Process, query: IdeaFilter, *, page=1, per_page: int = IDEAS_PER_PAGE):
    """One page of a process's visible ideas, filtered and sorted, each with `shown_name`
    (its author's): two queries, whatever the number of ideas."""
    return Paginator(_IdeaRows(process, query), per_page).get_page(page)


class _IdeaRows:
    """The visible ideas of a filter as the Paginator reads them: the count, and a slice of
    rows with the author's shown name, each one query written as SQL. This is the busiest
    public list, and the ORM took ten times as long to build these two queries as SQLite took
    to answer them (6 ms against 0.6 ms). The rows are Ideas (`Idea.objects.raw`) with the
    columns the list shows; any other field loads on access."""

    COLUMNS = ("id", "process_id", "author_id", "title", "text", "text_simple", "status",
               "category", "support_count", "comment_count", "created_at", "location_text",
               "x", "y", "is_demo", "hidden")

    def __init__(self, process: Process, query: IdeaFilter):
        where, params = ["i.process_id = %s", "NOT i.hidden"], [process.pk]
        for column in ("category", "status"):
            if getattr(query, column):
                where.append(f"i.{column} = %s")
                params.append(getattr(query, column))
        if query.q:
            # The ORM's icontains, as each database spells it.
            like = connection.operators["icontains"] % "%s"
            title, text = (connection.ops.lookup_cast("icontains", "TextField") % f"i.{name}"
                           for name in ("title", "text"))
            where.append(f"({title} {like} OR {text} {like})")
            pattern = f"%{connection.ops.prep_for_like_query(query.q)}%"
            params += [pattern, pattern]
        self.where, self.params = " AND ".join(where), params
        self.order = ", ".join(
            f"i.{'id' if name.lstrip('-') == 'pk' else name.lstrip('-')}"
            f"{' DESC' if name.startswith('-') else ''}"
            for name in SORTS.get(query.sort, SORTS["new"])
        )

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {Idea._meta.db_table} i WHERE {self.where}",
                           self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, part: slice) -> list:
        columns = ", ".join(f"i.{column}" for column in self.COLUMNS)
        ideas = list(Idea.objects.raw(
            f"SELECT {columns}, u.first_name AS author_first_name, "
            "u.last_name AS author_last_name, s.public_name AS author_public_name "
            f"FROM {Idea._meta.db_table} i "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = i.author_id "
            f"LEFT JOIN {ParticipantSettings._meta.db_table} s ON s.user_id = i.author_id "
            f"WHERE {self.where} ORDER BY {self.order} LIMIT %s OFFSET %s",
            [*self.params, part.stop - part.start, part.start],
        ))
        for idea in ideas:
            idea.shown_name = shown_name(
                idea.author_id, idea.author_public_name,
                f"{idea.author_first_name or ''} {idea.author_last_name or ''}".strip())
        return ideas


def ideas_geojson(process: Process) -> bytes:
    """All visible ideas with a point, as one compact GeoJSON FeatureCollection (WGS84, 5
    decimals ≈ 1 m): feature id = idea id, properties n (title), s (status), c (category).
    Cached per process and map_version, which every change to a mapped idea bumps."""
    # created_at too: SQLite may give a deleted process's id to a new one.
    key = (f"participation:ideas-geojson:{process.pk}:{process.created_at.timestamp()}:"
           f"{process.map_version}")
    data = cache.get(key)
    if data is not None:
        return data
    rows = list(
        process.ideas.visible().filter(x__isnull=False)
        .order_by("pk").values_list("pk", "title", "x", "y", "status", "category")
    )
    features = []
    if rows:
        import numpy as np

        from quartier.places import geo

        xs = np.fromiter((row[2] for row in rows), dtype=float, count=len(rows))
        ys = np.fromiter((row[3] for row in rows), dtype=float, count=len(rows))
        lons, lats = geo.utm_to_lonlat(xs, ys)
        for row, lon, lat in zip(rows, lons.round(5).tolist(), lats.round(5).tolist(),
                                 strict=True):
            features.append({
                "type": "Feature", "id": row[0],
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"n": row[1], "s": row[4], "c": row[5]},
            })
    data = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode()
    cache.set(key, data, 24 * 60 * 60)
    return data


# Polls ------------------------------------------------------------------------------------


@transaction.atomic
def create_poll(process: Process, *, actor, phase: Phase, question: str, options: list[str],
                kind: str = Poll.Kind.SINGLE, description: str = "",
                description_simple: str = "", max_choices: int | None = None,
                allow_free_text: bool = False, free_text_label: str = "") -> Poll:
    if not coordinates(actor, process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde change this process."))
    if phase.process_id != process.pk or phase.kind != Phase.Kind.POLL:
        raise ValidationError({"phase": _("Choose a poll phase of this process.")})
    if kind not in Poll.Kind.values:
        raise ValidationError({"kind": _("Choose single or multiple choice.")})
    texts = [clean_text(o, field="options", max_length=200, required=False) for o in options]
    texts = [t for t in texts if t]
    if len(texts) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    if len(set(texts)) != len(texts):
        raise ValidationError({"options": _("Each option must be different.")})
    if kind == Poll.Kind.MULTIPLE and max_choices is not None and not (
        1 <= max_choices <= len(texts)
    ):
        raise ValidationError({"max_choices": _("At most as many choices as there are options.")})
    poll = Poll.objects.create(
        process=process, phase=phase, kind=kind,
        question=clean_text(question, field="question", max_length=300),
        description=clean_text(description, field="description", max_length=2000,
                               required=False),
        description_simple=clean_text(description_simple, field="description_simple",
                                      max_length=2000, required=False),
        max_choices=max_choices if kind == Poll.Kind.MULTIPLE else None,
        allow_free_text=allow_free_text,
        free_text_label=clean_text(free_text_label, field="free_text_label", max_length=200,
                                   required=False),
    )
    PollOption.objects.bulk_create(
        [PollOption(poll=poll, text=text, position=i) for i, text in enumerate(texts)]
    )
    record_event("participation.poll_created", poll, actor=actor, summary=poll.question)
    return poll


def has_voted(user, poll: Poll) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return PollParticipation.objects.filter(poll=poll, user=user).exists()


@transaction.atomic
def vote(poll: Poll, *, user, option_ids, free_text: str = "") -> None:
    """One vote per account (a database constraint; parallel requests count once). Who
    voted and what was chosen are stored apart, so results stay anonymous."""
    _check_take_part(user, poll.process)
    if not poll.is_open():
        raise ValidationError({NON_FIELD_ERRORS: _("This poll is not open.")})
    try:
        chosen = {int(i) for i in option_ids}
    except (TypeError, ValueError):
        raise ValidationError({"options": _("Choose among the options of this poll.")}) from None
    known = set(poll.options.values_list("pk", flat=True))
    if not chosen:
        raise ValidationError({"options": _("Choose an option.")})
    if chosen - known:
        raise ValidationError({"options": _("Choose among the options of this poll.")})
    if poll.kind == Poll.Kind.SINGLE and len(chosen) > 1:
        raise ValidationError({"options": _("Choose one option.")})
    if poll.kind == Poll.Kind.MULTIPLE and poll.max_choices and len(chosen) > poll.max_choices:
        raise ValidationError({"options": ngettext(
            "Choose at most %(n)d option.", "Choose at most %(n)d options.", poll.max_choices
        ) % {"n": poll.max_choices}})
    free_text = clean_text(free_text, field="free_text", max_length=1000, required=False)
    if free_text and not poll.allow_free_text:
        raise ValidationError({"free_text": _("This poll takes no free text.")})
    try:
        with transaction.atomic():
            PollParticipation.objects.create(poll=poll, user=user)
    except IntegrityError:
        raise ValidationError({NON_FIELD_ERRORS: _("You have already voted in this poll.")}) \
            from None
    PollOption.objects.filter(pk__in=chosen).update(vote_count=F("vote_count") + 1)
    Poll.objects.filter(pk=poll.pk).update(participant_count=F("participant_count") + 1)
    if free_text:
        PollFreeText.objects.create(poll=poll, text=free_text)


def poll_results(poll: Poll) -> list[tuple[PollOption, int]]:
    """(option, percent of participants) for each option."""
    options = list(poll.options.all())
    total = poll.participant_count
    return [(o, round(100 * o.vote_count / total) if total else 0) for o in options]


# Meetings ---------------------------------------------------------------------------------


MEETING_LIMITS = {"title": 200, "description": 4000, "description_simple": 4000, "venue": 200,
                  "address": 300, "accessibility": 1000, "minutes": 20000,
                  "minutes_simple": 8000}
MEETING_FLAGS = ("step_free", "accessible_toilet", "hearing_loop", "sign_language",
                 "registration_open")


def _meeting_values(values: dict) -> dict:
    clean = {}
    for name, limit in MEETING_LIMITS.items():
        if name in values:
            clean[name] = clean_text(values[name], field=name, max_length=limit,
                                     required=name == "title")
    for name in MEETING_FLAGS:
        if name in values:
            clean[name] = bool(values[name])
    for name in ("starts_at", "ends_at", "online_url", "capacity"):
        if name in values:
            clean[name] = values[name]
    return clean


def _check_meeting(meeting: Meeting) -> None:
    if meeting.starts_at >= meeting.ends_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not meeting.venue and not meeting.online_url:
        raise ValidationError({"venue": _("Give a place or an online link.")})
    if meeting.online_url and not meeting.online_url.startswith(("https://", "http://")):
        raise ValidationError({"online_url": _("An address starting with https:// or http://.")})
    if meeting.capacity is not None and meeting.capacity < 1:
        raise ValidationError({"capacity": _("At least one place, or leave it empty.")})


@transaction.atomic
def create_meeting(process: Process, *, actor, **values) -> Meeting:
    if not coordinates(actor, process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde change this process."))
    meeting = Meeting(process=process, **_meeting_values(values))
    _check_meeting(meeting)
    meeting.save()
    record_event("participation.meeting_created", meeting, actor=actor, summary=meeting.title)
    notify(_followers(process=process),
           _("New meeting in “%(process)s”: %(title)s") % {"process": process.title,
                                                          "title": meeting.title},
           meeting.get_absolute_url(), exclude=actor)
    return meeting


@transaction.atomic
def change_meeting(meeting: Meeting, *, actor, **values) -> Meeting:
    if not coordinates(actor, meeting.process.quarter):
        raise PermissionDenied(_("Only coordinators of this Gemeinde change this process."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    clean = _meeting_values(values)
    for name, value in clean.items():
        setattr(meeting, name, value)
    _check_meeting(meeting)
    meeting.save()
    _move_up(meeting)
    record_event("participation.meeting_changed", meeting, actor=actor, summary=meeting.title,
                 fields=sorted(clean))
    return meeting


def registration_of(user, meeting: Meeting) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(meeting=meeting, user=user).first()


def confirmed_count(meeting: Meeting) -> int:
    return meeting.registrations.filter(status=Registration.Status.CONFIRMED).count()


@transaction.atomic
def register(meeting: Meeting, *, user) -> Registration:
    """A place at the meeting, or on its waiting list when it is full. The meeting row is
    locked, so two people never get the last place."""
    _check_take_part(user, meeting.process)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_past() or meeting.starts_at <= timezone.now():
        raise ValidationError({NON_FIELD_ERRORS: _("This meeting has already begun.")})
    if not meeting.registration_open:
        raise ValidationError({NON_FIELD_ERRORS: _("Registration for this meeting is closed.")})
    existing = Registration.objects.filter(meeting=meeting, user=user).first()
    if existing is not None:
        return existing
    full = meeting.capacity is not None and confirmed_count(meeting) >= meeting.capacity
    registration = Registration.objects.create(
        meeting=meeting, user=user,
        status=Registration.Status.WAITING if full else Registration.Status.CONFIRMED,
    )
    return registration


@transaction.atomic
def cancel_registration(meeting: Meeting, *, user) -> Registration | None:
    """Give the place back; the first on the waiting list moves up and is told."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    registration = Registration.objects.filter(meeting=meeting, user=user).first()
    if registration is None:
        raise ValidationError({NON_FIELD_ERRORS: _("You are not registered for this meeting.")})
    registration.delete()
    return _move_up(meeting)


def _move_up(meeting: Meeting) -> Registration | None:
    """Fill free places from the waiting list, in order of sign-up (meeting row locked)."""
    moved = None
    while True:
        free = (meeting.capacity is None
                or confirmed_count(meeting) < meeting.capacity)
        first = (meeting.registrations.filter(status=Registration.Status.WAITING)
                 .order_by("created_at", "pk").first())
        if not free or first is None:
            return moved
        first.status = Registration.Status.CONFIRMED
        first.save(update_fields=["status"])
        notify([first.user_id],
               _("A place became free: you are now registered for “%(title)s”.")
               % {"title": meeting.title}, meeting.get_absolute_url())
        moved = first


def meeting_ical(meeting: Meeting, *, url: str) -> bytes:
    """The meeting as an iCalendar file (RFC 5545) with one event."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Quartier//Participation//DE")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"participation-meeting-{meeting.pk}@quartier")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    place = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    if place:
        event.add("location", place)
    details = [meeting.description]
    if meeting.accessibility_list() or meeting.accessibility:
        items = [*meeting.accessibility_list(), meeting.accessibility]
        details.append(", ".join(item for item in items if item))
    if meeting.online_url:
        details.append(meeting.online_url)
    event.add("description", "\n\n".join(d for d in details if d))
    event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
