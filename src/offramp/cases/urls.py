from django.urls import path

from .views import cases, panels, routing, work

app_name = "cases"

urlpatterns = [
    path("referrals/<int:pk>/route/", routing.route_view, name="route"),
    path("cases/", cases.case_list_view, name="case-list"),
    path("cases/<int:pk>/", cases.case_detail_view, name="case-detail"),
    path("cases/<int:pk>/consent/", cases.consent_view, name="consent"),
    path("cases/<int:pk>/interventions/new/", cases.placement_add_view, name="placement-add"),
    path("cases/<int:pk>/people/new/", cases.link_person_view, name="link-person"),
    path("cases/<int:pk>/exit/", cases.exit_view, name="exit"),
    path("cases/<int:pk>/reopen/", cases.reopen_view, name="reopen"),
    path("placements/<int:pk>/", cases.placement_update_view, name="placement-update"),
    path("panels/", panels.panel_list_view, name="panel-list"),
    path("panels/meetings/new/", panels.meeting_schedule_view, name="meeting-schedule"),
    path("panels/meetings/<int:pk>/", panels.meeting_view, name="meeting"),
    path("panels/meetings/<int:pk>/attendance/", panels.attendance_view, name="attendance"),
    path("panels/meetings/<int:pk>/agenda/", panels.agenda_add_view, name="agenda-add"),
    path("panels/meetings/<int:pk>/close/", panels.meeting_close_view, name="meeting-close"),
    path("panels/agenda/<int:pk>/", panels.agenda_item_view, name="agenda-item"),
    path("panels/agenda/<int:pk>/information/", panels.contribution_view, name="contribution-add"),
    path("panels/agenda/<int:pk>/decision/", panels.decision_view, name="decision"),
    path("panels/agenda/<int:pk>/actions/", panels.action_set_view, name="action-set"),
    path("actions/", work.my_actions_view, name="my-actions"),
    path("actions/<int:pk>/done/", work.action_done_view, name="action-done"),
    path("reviews/due/", work.reviews_due_view, name="reviews-due"),
    path("reviews/<int:pk>/", work.review_hold_view, name="review-hold"),
]
