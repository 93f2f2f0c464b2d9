import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from coaching import catalog
from coaching.models import AuditRecord, ToolCompletion, ToolCompletionEvent
from coaching.staff import analytics, audit, charts
from coaching.staff.csv_export import completions_csv, keyset_rows


class ToolFilter(admin.SimpleListFilter):
    """Filter by tool, listed in catalog order with the Dutch tab names."""

    title = "tool"
    parameter_name = "tool_name"

    def lookups(self, request, model_admin):
        return [(tool.name, tool.label) for tool in catalog.TOOLS]

    def queryset(self, request, queryset):
        return queryset.filter(tool_name=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, from the catalog: no DISTINCT over a million rows to build the list."""

    title = "action"
    parameter_name = "action_name"

    def lookups(self, request, model_admin):
        return [(action.name, f"{tool.label}: {action.label}") for tool in catalog.TOOLS for action in tool.actions]

    def queryset(self, request, queryset):
        return queryset.filter(action_name=self.value()) if self.value() else queryset


class ReadableMetadata:
    @admin.display(description="metadata")
    def metadata_pretty(self, obj: ToolCompletion) -> str:
        return format_html(
            '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
            json.dumps(obj.metadata, indent=2, ensure_ascii=False, sort_keys=True),
        )


class AuditedViewsMixin(admin.ModelAdmin):
    """Pages that show one user's data leave an AuditRecord (see coaching.audit).

    A change (or read-only view) page that rendered its object is audited,
    and so is a list whose rows all belong to one user, however it got there
    (``?user__id__exact=``, a search, any other filter).
    """

    audit_view_action: str
    audit_list_action: str | None = None

    def audit_subject(self, obj: Any) -> int:
        return int(obj.user_id)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            subject = self.audit_subject(original)
            audit.audit_record(request=request, action=self.audit_view_action, subject_user_id=subject)
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if self.audit_list_action and changelist is not None:
            subject = audit.single_user_of(changelist.queryset)
            if subject is not None:
                audit.audit_record(request=request, action=self.audit_list_action, subject_user_id=subject)
        return response


@admin.register(ToolCompletion)
class ToolCompletionAdmin(AuditedViewsMixin, ReadableMetadata, admin.ModelAdmin):
    list_display = ["user", "tool_name", "action_name", "completed_at"]
    # Lists stay fast at a million rows: filters from the catalog and fixed date
    # ranges (no date_hierarchy, whose year list is a DISTINCT over the table),
    # newest first by the primary key's index (completed_at has no index: it
    # would make every repeated mark a non-HOT update). Sorting by a column is
    # still a click away.
    list_filter = [ToolFilter, ActionFilter, "completed_at"]
    search_fields = ["user__username", "action_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "tool_name", "action_name", "completed_at", "metadata_pretty"]
    exclude = ["metadata"]
    ordering = ["-id"]
    show_full_result_count = False
    audit_view_action = audit.COMPLETION_VIEWED
    audit_list_action = audit.COMPLETIONS_LISTED

    def has_add_permission(self, request):
        # Completions are recorded by the coach tools, not typed in by staff.
        return False

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("analytics/", view(self.analytics_view), name=f"{prefix}_analytics"),
            path("export-csv/", view(self.export_csv_view), name=f"{prefix}_export_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The export link carries the list's filters and search (not its page).
        query = request.GET.copy()
        query.pop(PAGE_VAR, None)
        query.pop(ERROR_FLAG, None)
        export_url = reverse("admin:coaching_toolcompletion_export_csv", current_app=self.admin_site.name)
        if query:
            export_url += f"?{query.urlencode()}"
        return super().changelist_view(request, {**(extra_context or {}), "export_csv_url": export_url})

    def export_csv_view(self, request: HttpRequest) -> HttpResponseBase:
        """Exactly the rows of the changelist with the same query string, every page, as a streamed CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            message = "Ongeldige filter- of zoekparameters."
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        audit.audit_record(
            request=request, action=audit.COMPLETIONS_EXPORTED, subject_user_id=audit.single_user_of(queryset)
        )
        rows = keyset_rows(
            queryset, ("id", "user_id", "user__username", "tool_name", "action_name", "completed_at", "metadata")
        )
        response = StreamingHttpResponse(completions_csv(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="completions-{stamp}.csv"'
        return response

    def analytics_view(self, request: HttpRequest) -> TemplateResponse:
        """Funnel per tool, completions per day (30 or 90 days) and active users; aggregates only, so staff-only."""
        requested = request.GET.get("days", "")
        days = analytics.PERIODS[0]
        period_error = ""
        if requested in {str(period) for period in analytics.PERIODS}:
            days = int(requested)
        elif requested:
            period_error = f"Onbekende periode “{requested[:20]}”: kies 30 of 90 dagen. Getoond: {days} dagen."
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": "Statistieken",
            "opts": self.opts,
            "days": days,
            "time_zone": settings.TIME_ZONE,
            "periods": analytics.PERIODS,
            "period_error": period_error,
            "chart": charts.day_chart(days=analytics.completions_per_day_get(days=days, now=now)),
            "funnels": analytics.funnel_get(),
            "active": analytics.active_users_get(now=now),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/coaching/analytics.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that nobody adds, edits or deletes in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ToolCompletionEvent)
class ToolCompletionEventAdmin(AuditedViewsMixin, ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "tool_name", "action_name"]
    list_filter = ["kind", ToolFilter, ActionFilter, "at"]  # no date_hierarchy: see ToolCompletionAdmin
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["-at", "-id"]  # the (at) index, read backwards
    show_full_result_count = False
    audit_view_action = audit.EVENT_VIEWED
    audit_list_action = audit.EVENTS_LISTED


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "staff_username", "action", "subject_user_id", "path"]
    list_filter = ["action"]
    date_hierarchy = "at"
    search_fields = ["staff_username", "subject_user_id__exact", "path"]
    show_full_result_count = False


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
class CoachingUserAdmin(AuditedViewsMixin, UserAdmin):
    inlines = [*UserAdmin.inlines, ToolCompletionInline]
    audit_view_action = audit.USER_VIEWED

    def audit_subject(self, obj: Any) -> int:
        return int(obj.pk)
