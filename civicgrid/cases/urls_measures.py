from django.urls import path

from civicgrid.cases import views_measures as views

# Included at /cases/measures/ by civicgrid.cases.urls inside the "cases" namespace (no app_name here).
urlpatterns = [
    path("", views.overview, name="measures_overview"),
    path("widget/", views.widget, name="measures_widget"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
]
