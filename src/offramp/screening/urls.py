from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.candidate_list_view, name="candidate-list"),
    path("candidates/<int:pk>/", views.candidate_detail_view, name="candidate"),
    path("candidates/<int:pk>/refer/", views.candidate_refer_view, name="candidate-refer"),
    path("candidates/<int:pk>/not-now/", views.candidate_not_now_view, name="candidate-not-now"),
]
