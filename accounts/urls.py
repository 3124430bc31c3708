from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("start/", views.start, name="start"),
    path("security/", views.security, name="security"),
    path("lockdown/", views.lockdown, name="lockdown"),
]
