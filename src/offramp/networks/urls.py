from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("", views.group_list_view, name="group-list"),
    path("groups/new/", views.group_create_view, name="group-create"),
    path("groups/<int:pk>/", views.group_detail_view, name="group-detail"),
    path("groups/<int:pk>/edit/", views.group_edit_view, name="group-edit"),
    path("groups/<int:pk>/links/new/", views.membership_add_view, name="membership-add"),
    path("groups/<int:pk>/map/", views.group_map_view, name="group-map"),
    path("groups/<int:pk>/export/", views.group_export_view, name="group-export"),
    path("links/<int:pk>/", views.membership_edit_view, name="membership-edit"),
    path("relationships/new/", views.relationship_create_view, name="relationship-create"),
    path("relationships/<int:pk>/", views.relationship_edit_view, name="relationship-edit"),
    path("people/<int:pk>/exposure/", views.person_exposure_view, name="person-exposure"),
    path("periphery/", views.periphery_view, name="periphery"),
    path("purpose/", views.naming_purpose_view, name="naming-purpose"),
    path(
        "assessments/<int:pk>/dismiss-suggestion/",
        views.suggestion_dismiss_view,
        name="suggestion-dismiss",
    ),
    path("exports/<int:pk>/", views.export_detail_view, name="export-detail"),
    path("exports/<int:pk>/download/", views.export_download_view, name="export-download"),
]
