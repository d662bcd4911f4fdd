from django.urls import path

from civicgrid.prints import views

app_name = "prints"
urlpatterns = [
    path("<int:pk>/", views.print_page, name="print"),
    path("<int:pk>/file.pdf", views.print_file, name="file"),
]
