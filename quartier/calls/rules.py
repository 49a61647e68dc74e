import rules

from quartier.accounts import services as accounts
from quartier.accounts.models import Role
from quartier.calls.models import Application, Call, Review


def _call_of(obj) -> Call | None:
    if isinstance(obj, Call):
        return obj
    if isinstance(obj, Application | Review):
        application = obj if isinstance(obj, Application) else obj.application
        return application.call
    return None


def _application_of(obj) -> Application | None:
    if isinstance(obj, Application):
        return obj
    if isinstance(obj, Review):
        return obj.application
    return None


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def is_published(user, call):
    call = _call_of(call)
    return call is not None and call.phase != Call.Phase.DRAFT


@rules.predicate
def is_decided(user, call):
    call = _call_of(call)
    return call is not None and call.phase == Call.Phase.DECIDED


@rules.predicate
def may_apply(user, call):
    """The call is open and the user acts for an organisation of an eligible type."""
    from quartier.calls.services import applicant_organisation_ids

    call = _call_of(call)
    if call is None or not call.is_open():
        return False
    kinds = call.applicant_kinds()
    ids = applicant_organisation_ids(user)
    return any(g.organisation_id in ids and g.organisation_kind in kinds
               for g in accounts.grants_of(user))


@rules.predicate
def is_applicant(user, application):
    """A member or coordinator of the applying organisation."""
    from quartier.calls.services import applicant_organisation_ids

    application = _application_of(application)
    return application is not None and \
        application.organisation_id in applicant_organisation_ids(user)


@rules.predicate
def is_editable_draft(user, application):
    application = _application_of(application)
    return application is not None and application.is_draft() and application.call.is_open()


@rules.predicate
def is_jury_member(user):
    return accounts.has_role(user, Role.JURY_MEMBER)


@rules.predicate
def is_call_juror(user, call):
    call = _call_of(call)
    return call is not None and accounts.has_role(user, Role.JURY_MEMBER) and \
        call.jurors.filter(pk=user.pk).exists()


@rules.predicate
def is_assigned_juror(user, application):
    application = _application_of(application)
    return (application is not None and not application.is_draft()
            and accounts.has_role(user, Role.JURY_MEMBER)
            and application.reviews.filter(juror=user).exists())


@rules.predicate
def has_conflict_of_interest(user, application):
    from quartier.calls.services import has_conflict

    application = _application_of(application)
    return application is None or has_conflict(user, application)


@rules.predicate
def jury_at_work(user, obj):
    call = _call_of(obj)
    return call is not None and call.in_review()


@rules.predicate
def in_published_phase(user, obj):
    call = _call_of(obj)
    return call is not None and call.phase == Call.Phase.PUBLISHED


@rules.predicate
def jury_closed(user, obj):
    call = _call_of(obj)
    return call is not None and call.phase in (Call.Phase.JURY_CLOSED, Call.Phase.DECIDED)


reviews_without_conflict = is_assigned_juror & ~has_conflict_of_interest

rules.add_perm("calls.view_call", is_published | is_programme_staff)
# Setting calls up, eligibility, the jury, the ranking, the allocation and the audit trail.
rules.add_perm("calls.manage_call", is_programme_staff)
# Only programme staff decide awards.
rules.add_perm("calls.decide_call", is_programme_staff)
rules.add_perm("calls.apply", may_apply)
rules.add_perm("calls.view_application",
               is_programme_staff | is_applicant | reviews_without_conflict)
rules.add_perm("calls.change_application", is_applicant & is_editable_draft)
rules.add_perm("calls.score_application", reviews_without_conflict & jury_at_work)
# Other jurors' scores: staff always, an assigned juror only once the jury is closed.
rules.add_perm("calls.view_scores",
               is_programme_staff | (reviews_without_conflict & jury_closed))
rules.add_perm("calls.declare_conflict", is_call_juror & in_published_phase)
rules.add_perm("calls.review", is_jury_member)
rules.add_perm("calls.view_results", is_decided)
