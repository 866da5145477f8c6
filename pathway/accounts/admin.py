from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
