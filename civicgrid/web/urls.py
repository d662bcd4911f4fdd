from django.contrib.auth import views as auth_views
from django.urls import path

from civicgrid.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("today/", views.today, name="today"),
    path("territory/", views.territory_tree, name="territory_tree"),
    path("territory/<int:pk>/", views.territory_detail, name="territory_detail"),
    path("territory/<int:pk>/children/", views.territory_children, name="territory_children"),
    path("territory/<int:pk>/edit/", views.territory_edit, name="territory_edit"),
    path("territory/<int:pk>/add/", views.territory_add, name="territory_add"),
    path("territory/<int:pk>/move/", views.territory_move, name="territory_move"),
    path("territory/<int:pk>/retire/", views.territory_retire, name="territory_retire"),
    path("audit/", views.audit_list, name="audit_list"),
    path("healthz", views.healthz, name="healthz"),
]
