"""The coordinators' pages of money that belongs to no one case: funds received and the exchange-rate table."""

from django.urls import path

from cases import views

app_name = "money"

urlpatterns = [
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_edit, name="fund_edit"),
    path("rates/", views.rate_list, name="rates"),
]
