from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/edit/", views.case_edit, name="edit"),
    path("<str:reference>/history/", views.case_history, name="history"),
    path("<str:reference>/assign/", views.case_assign, name="assign"),
    path("<str:reference>/unassign/", views.case_unassign, name="unassign"),
]
