import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html

from coaching import catalog
from coaching.models import ToolCompletion


class ToolFilter(admin.SimpleListFilter):
    """Filter by tool, listed in catalog order with the Dutch tab names."""

    title = "tool"
    parameter_name = "tool_name"

    def lookups(self, request, model_admin):
        return [(tool.name, tool.label) for tool in catalog.TOOLS]

    def queryset(self, request, queryset):
        return queryset.filter(tool_name=self.value()) if self.value() else queryset


class ReadableMetadata:
    @admin.display(description="metadata")
    def metadata_pretty(self, obj: ToolCompletion) -> str:
        return format_html(
            '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
            json.dumps(obj.metadata, indent=2, ensure_ascii=False, sort_keys=True),
        )


@admin.register(ToolCompletion)
class ToolCompletionAdmin(ReadableMetadata, admin.ModelAdmin):
    list_display = ["user", "tool_name", "action_name", "completed_at"]
    list_filter = [ToolFilter, "action_name", "completed_at"]
    date_hierarchy = "completed_at"
    search_fields = ["user__username", "action_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "tool_name", "action_name", "completed_at", "metadata_pretty"]
    exclude = ["metadata"]
    ordering = ["-completed_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        # Completions are recorded by the coach tools, not typed in by staff.
        return False


class ToolCompletionInline(ReadableMetadata, admin.TabularInline):
    model = ToolCompletion
    fields = ["tool_name", "action_name", "completed_at", "metadata_pretty"]
    readonly_fields = ["tool_name", "action_name", "completed_at", "metadata_pretty"]
    extra = 0
    can_delete = False
    ordering = ["tool_name", "action_name"]

    def has_add_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CoachingUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ToolCompletionInline]
