from django.contrib import admin

from quartier.pb.models import Budget, Deviation, Proposal, Result


class ReadOnlyAdmin(admin.ModelAdmin):
    """Programme staff look; every change goes through the pages and their services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["title", "quarter", "amount_cents", "ballot_type", "rule", "voting_closes",
                    "is_demo"]
    list_select_related = ["quarter"]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "budget", "cost_cents", "status"]
    list_filter = ["status"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["budget", "computed_at", "ballots_online", "ballots_paper"]


@admin.register(Deviation)
class DeviationAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "budget", "amount_cents", "created_at"]
