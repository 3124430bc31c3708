from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("break-glass/<str:reference>/", views.break_glass, name="break_glass"),
]
