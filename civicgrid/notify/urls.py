from django.urls import path

from civicgrid.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_case, name="open"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
]
