from django.contrib import admin

from pathway.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "user", "role", "action", "object_type", "object_id", "patient_id"]
    list_filter = ["action", "role"]
    # No search by NHS number here: the admin puts searches in the address (?q=), and patient
    # identifiers must never be in URLs. The audit trail page searches by a posted form.
    search_fields = ["=object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
