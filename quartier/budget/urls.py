from django.urls import path

from quartier.budget import views

app_name = "budget"
urlpatterns = [
    path("budget/", views.overview, name="overview"),
    path("budget/<str:table>.csv", views.overview_csv, name="overview_csv"),
    path("budget/ledger/", views.lines, name="lines"),
    path("budget/ledger/new/", views.line_create, name="line_create"),
    path("budget/ledger/<int:pk>/", views.line, name="line"),
    path("budget/ledger/<int:pk>/commit/", views.commit, name="commit"),
    path("budget/entries/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("budget/entries/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("budget/reports/", views.report, name="report"),
    path("budget/reports/report.csv", views.report_csv, name="report_csv"),
    path("budget/reports/report.pdf", views.report_pdf, name="report_pdf"),
    # The audit trail of all modules; it lives here because the ledger needed it first.
    path("audit/", views.audit, name="audit"),
]
