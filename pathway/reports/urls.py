from django.urls import path

from pathway.reports import activity, outcomes, views, waiting

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("waiting-list/", waiting.page, name="waiting_list"),
    path("activity/", activity.page, name="activity"),
    path("outcomes/", outcomes.page, name="outcomes"),
    path("board-report/", views.board_report, name="board_report"),
]
