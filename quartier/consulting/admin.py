from django.contrib import admin

from quartier.consulting.models import (
    Case,
    ConsultantProfile,
    ConsultingRequest,
    Format,
    MatchingRun,
    Session,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "kind", "position", "is_active"]
    list_filter = ["kind", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Requests, cases and sessions change only through the pages: they book money."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Format)
class FormatAdmin(ReadOnlyAdmin):
    list_display = ["name_de", "kind", "usual_days", "delivery", "day_rate_cents", "is_active"]
    list_filter = ["kind", "delivery", "is_active", "is_demo"]


@admin.register(ConsultantProfile)
class ConsultantProfileAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "home_base", "capacity_days_per_month",
                    "is_active", "is_demo"]
    list_filter = ["is_active", "is_demo"]
    search_fields = ["name", "user__email"]


@admin.register(ConsultingRequest)
class ConsultingRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "organisation", "topic", "format", "state", "priority",
                    "submitted_at", "is_demo"]
    list_filter = ["state", "priority", "is_demo", "topic"]
    search_fields = ["organisation__name", "gemeinde__name"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "consultant", "state", "start", "end", "booked_days", "is_demo"]
    list_filter = ["state", "is_demo"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "date", "half_days", "mode", "participants"]


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "created_by"]
