from django.urls import path

from civicgrid.cases import views

# Included by civicgrid.cases.urls inside the "cases" namespace (no app_name here).
urlpatterns = [
    path("", views.queue, name="queue"),
    path("list/", views.case_list, name="case_list"),
    path("intake/", views.intake, name="intake"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/action/", views.case_action, name="action"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
]
