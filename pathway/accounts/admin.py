from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pathway.accounts import actions as accounts_actions
from pathway.accounts import second_factor
from pathway.accounts.models import User
from pathway.audit.context import web_context


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
    actions = ["send_authenticator_set_up_link", "reset_two_step_verification"]

    @admin.action(
        description="Send authenticator set-up link (by email; works once)",
        permissions=["change"],
    )
    def send_authenticator_set_up_link(self, request, queryset):
        sent = 0
        for user in queryset:
            try:
                accounts_actions.send_set_up_link(
                    user=user, by=request.user, context=web_context(request)
                )
            except accounts_actions.SetUpLinkNotSent as refused:
                self.message_user(request, str(refused), messages.ERROR)
                continue
            sent += 1
            self.log_change(request, user, "Sent an authenticator set-up link.")
        if sent:
            self.message_user(
                request,
                f"Sent a set-up link to {sent} user(s). Each link works once, for "
                f"{settings.MFA_SET_UP_LINK_HOURS} hours, and replaces any earlier link.",
                messages.SUCCESS,
            )

    @admin.action(
        description="Reset two-step verification (then send a set-up link for a new app)",
        permissions=["change"],
    )
    def reset_two_step_verification(self, request, queryset):
        for user in queryset:
            second_factor.reset_authenticator(user)
            self.log_change(request, user, "Reset two-step verification.")
        self.message_user(
            request,
            f"Two-step verification reset for {len(queryset)} user(s). Their sessions have "
            "ended. Send each a set-up link so that they can set up an authenticator app again.",
            messages.SUCCESS,
        )
