from django.contrib import admin

from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService


@admin.register(CommissioningArea)
class CommissioningAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(GPPractice)
class GPPracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "area"]
    list_filter = ["area"]
    search_fields = ["name", "ods_code"]


@admin.register(ProviderService)
class ProviderServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area"]
    list_filter = ["area"]
