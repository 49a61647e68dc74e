from django.contrib import admin

from quartier.anchors.models import Anchor, AnchorKind, AnchorVersion, Offer


@admin.register(AnchorKind)
class AnchorKindAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "success_factor", "position"]
    list_filter = ["success_factor"]
    prepopulated_fields = {"slug": ["name_en"]}


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["category", "title", "when", "is_free", "booking_required"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Anchor)
class AnchorAdmin(admin.ModelAdmin):
    # Anchors change through the pages (with review and history), so the admin only reads.
    list_display = ["name", "kind", "gemeinde", "provider", "status", "is_demo"]
    list_filter = ["status", "kind", "is_demo"]
    search_fields = ["name", "ref", "gemeinde__name", "provider__name"]
    inlines = [OfferInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AnchorVersion)
class AnchorVersionAdmin(admin.ModelAdmin):
    list_display = ["anchor", "action", "actor", "created_at"]
    list_filter = ["action"]
    raw_id_fields = ["anchor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
