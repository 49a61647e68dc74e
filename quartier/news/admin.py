from django.contrib import admin

from quartier.news import services
from quartier.news.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    # The cached news lists show tag names: a renamed or deleted tag renders them anew.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.mark_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.mark_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.mark_changed()
