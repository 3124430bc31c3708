from django.urls import path

from shelters import dashboard_views, views

app_name = "shelters"

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/assignments/", dashboard_views.assignments, name="assignments"),
    path("dashboard/donor-report.csv", dashboard_views.donor_report_csv, name="donor_report_csv"),
    path("dashboard/donor-report.pdf", dashboard_views.donor_report_pdf, name="donor_report_pdf"),
    path("shelters/", views.shelter_list, name="list"),
    path("shelters/new/", views.shelter_create, name="create"),
    path("shelters/requests/", views.request_list, name="requests"),
    path("shelters/<int:pk>/", views.shelter_detail, name="detail"),
    path("shelters/<int:pk>/edit/", views.shelter_edit, name="edit"),
    path("shelters/<int:pk>/erase/", views.shelter_erase, name="erase"),
    path("shelters/cases/<str:reference>/place/", views.case_place, name="place"),
    path("shelters/cases/<str:reference>/move/", views.case_move, name="move"),
    path("shelters/cases/<str:reference>/stays/<int:pk>/end/", views.placement_end, name="end"),
    path("shelters/cases/<str:reference>/request/", views.place_request_create, name="request"),
    path(
        "shelters/cases/<str:reference>/requests/<int:pk>/withdraw/",
        views.place_request_withdraw,
        name="request_withdraw",
    ),
    path("shelters/cases/<str:reference>/requests/<int:pk>/grant/", views.place_request_grant, name="grant"),
    path("shelters/cases/<str:reference>/requests/<int:pk>/decline/", views.place_request_decline, name="decline"),
    path("shelters/cases/<str:reference>/keep-apart/", views.keep_apart_add, name="keep_apart"),
    path(
        "shelters/cases/<str:reference>/keep-apart/<int:pk>/remove/",
        views.keep_apart_remove,
        name="keep_apart_remove",
    ),
]
