from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("break-glass/<str:reference>/", views.break_glass, name="break_glass"),
    path("retention/", views.retention, name="retention"),
    path("retention/<str:reference>/erase/", views.retention_erase, name="retention_erase"),
]
