from django.urls import path

from shelters import views

app_name = "shelters"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("shelters/", views.shelter_list, name="list"),
]
