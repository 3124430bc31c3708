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
    # Stages and money: small forms of the case page, each answering with a redirect back to its place there.
    path("<str:reference>/stages/<str:kind>/", views.stage_update, name="stage_update"),
    path("<str:reference>/papers/", views.paper_add, name="paper_add"),
    path("<str:reference>/papers/<int:pk>/", views.paper_update, name="paper_update"),
    path("<str:reference>/papers/<int:pk>/delete/", views.paper_delete, name="paper_delete"),
    path("<str:reference>/expenses/", views.expense_add, name="expense_add"),
    path("<str:reference>/expenses/<int:pk>/edit/", views.expense_edit, name="expense_edit"),
    path("<str:reference>/expenses/<int:pk>/paid/", views.expense_mark_paid, name="expense_paid"),
    path("<str:reference>/expenses/<int:pk>/delete/", views.expense_delete, name="expense_delete"),
    path("<str:reference>/expenses/<int:pk>/reverse/", views.expense_reverse, name="expense_reverse"),
    path("<str:reference>/budget/", views.case_budget, name="budget"),
]
