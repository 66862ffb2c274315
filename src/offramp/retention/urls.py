from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("<int:pk>/", views.review_view, name="review"),
    path("<int:pk>/retain/", views.retain_view, name="retain"),
    path("<int:pk>/dispose/", views.dispose_view, name="dispose"),
]
