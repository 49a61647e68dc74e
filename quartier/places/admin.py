from django.contrib import admin

from quartier.places.models import Place, Quarter


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["ags", "name", "kind", "population"]
    list_filter = ["kind"]
    search_fields = ["ags", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["search_key"]


@admin.register(Quarter)
class QuarterAdmin(admin.ModelAdmin):
    list_display = ["name", "gemeinde", "type", "status", "population", "is_demo"]
    list_filter = ["type", "status", "is_demo"]
    search_fields = ["name", "gemeinde__name", "gemeinde__ags"]
    raw_id_fields = ["gemeinde"]
    readonly_fields = ["search_key", "population"]
