from django.urls import path

from . import views

app_name = "index"
urlpatterns = [
    path("known/", views.known_view, name="known"),
    path("reviews/", views.review_list_view, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail_view, name="review-detail"),
    path("link/", views.link_run_view, name="link-run"),
    path("checks/", views.check_list_view, name="check-list"),
    path("checks/<int:pk>/follow-up/", views.check_follow_up_view, name="check-follow-up"),
    path("people/<int:pk>/merge/", views.merge_view, name="merge"),
    path("merges/<int:pk>/unmerge/", views.unmerge_view, name="unmerge"),
]
