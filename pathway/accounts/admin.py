from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pathway.accounts import second_factor
from pathway.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Role and organisation", {"fields": ("role", "practice", "service", "area")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Role and organisation", {"fields": ("role", "practice", "service", "area")}),
    )
    actions = ["reset_two_step_verification"]

    @admin.action(
        description="Reset two-step verification (they set up an app again at next sign-in)",
        permissions=["change"],
    )
    def reset_two_step_verification(self, request, queryset):
        for user in queryset:
            second_factor.reset_authenticator(user)
            self.log_change(request, user, "Reset two-step verification.")
        self.message_user(
            request,
            f"Two-step verification reset for {len(queryset)} user(s). Their sessions have "
            "ended; each sets up an authenticator app when they next sign in.",
            messages.SUCCESS,
        )
