"""Who may do what in consulting (docs/consulting.md, "Permissions").

Requesters (coordinators of a Kommune or Landkreis, members of a civil-society organisation)
see only their own organisations' requests and cases; a consultant sees only the cases
assigned to them; protocols and documents stay within the case, programme staff and the
requester; only programme staff triage, match, assign and close.
"""

import rules

from quartier.accounts import services as accounts
from quartier.consulting import services


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def is_requester(user):
    return bool(services.requester_organisation_ids(user))


@rules.predicate
def is_consultant(user):
    return services.is_consultant(user)


@rules.predicate
def requested_by_own_organisation(user, request):
    return request is not None and \
        request.organisation_id in services.requester_organisation_ids(user)


@rules.predicate
def case_of_own_organisation(user, case):
    return case is not None and \
        case.request.organisation_id in services.requester_organisation_ids(user)


@rules.predicate
def is_assigned_consultant(user, case):
    profile = services.profile_of(user)
    return case is not None and profile is not None and case.consultant_id == profile.pk


@rules.predicate
def consults_on_request(user, request):
    profile = services.profile_of(user)
    if request is None or profile is None:
        return False
    return services.Case.objects.filter(request=request, consultant=profile).exists()


@rules.predicate
def is_own_profile(user, profile):
    return profile is not None and profile.user_id == getattr(user, "pk", None)


rules.add_perm("consulting.add_request", is_requester)
rules.add_perm("consulting.view_request",
               is_programme_staff | requested_by_own_organisation | consults_on_request)
rules.add_perm("consulting.answer_request", requested_by_own_organisation)
rules.add_perm("consulting.triage_request", is_programme_staff)
rules.add_perm("consulting.assign", is_programme_staff)
rules.add_perm("consulting.view_case",
               is_programme_staff | case_of_own_organisation | is_assigned_consultant)
# Protocols and documents: confidential to the case, staff and the requester.
rules.add_perm("consulting.view_protocol",
               is_programme_staff | case_of_own_organisation | is_assigned_consultant)
rules.add_perm("consulting.log_session", is_programme_staff | is_assigned_consultant)
rules.add_perm("consulting.complete_case", is_programme_staff | is_assigned_consultant)
rules.add_perm("consulting.give_feedback", case_of_own_organisation)
rules.add_perm("consulting.close_case", is_programme_staff)
rules.add_perm("consulting.manage_catalogue", is_programme_staff)
rules.add_perm("consulting.manage_consultants", is_programme_staff)
rules.add_perm("consulting.keep_profile", is_consultant)
rules.add_perm("consulting.change_profile", is_programme_staff | is_own_profile)
rules.add_perm("consulting.view_details", is_programme_staff)
rules.add_perm("consulting.view_cases", is_programme_staff | is_requester | is_consultant)

# Programme staff run the Django admin for consulting.
rules.add_perm("consulting", is_programme_staff)
for model in ("topic", "format", "consultantprofile", "expertise", "absence",
              "consultingrequest", "case", "session", "document", "feedback", "matchingrun",
              "proposal"):
    for action in ("view", "add", "change", "delete"):
        if not rules.perm_exists(f"consulting.{action}_{model}"):
            rules.add_perm(f"consulting.{action}_{model}", is_programme_staff)
