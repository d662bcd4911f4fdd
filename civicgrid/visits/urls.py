from django.urls import path

from civicgrid.visits import views, views_manage

app_name = "visits"
urlpatterns = [
    path("", views.due_list, name="due_list"),
    path("new/", views.visit_new, name="visit_new"),
    path("log/", views.visit_list, name="visit_list"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="visit_photo"),
    path("households/", views.household_search, name="household_search"),
    path("households/<int:pk>/", views.household_history, name="household_history"),
    path("needs/", views_manage.need_list, name="need_list"),
    path("needs/<int:pk>/meet/", views_manage.need_meet, name="need_meet"),
    path("rules/", views_manage.rule_list, name="rule_list"),
    path("rules/new/", views_manage.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views_manage.rule_edit, name="rule_edit"),
    path("coverage/", views_manage.coverage_page, name="coverage"),
    path("coverage/not-visited/", views_manage.not_visited_rows, name="not_visited_rows"),
]
