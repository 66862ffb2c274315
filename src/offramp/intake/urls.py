from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.batch_list_view, name="batch-list"),
    path("new/", views.batch_create_view, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail_view, name="batch-detail"),
]
