from django.urls import path

from pathway.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("activity/", views.activity, name="activity"),
    path("outcomes/", views.outcomes_report, name="outcomes"),
    path("board-report/", views.board_report, name="board_report"),
]
