from django.http import HttpResponse
from django.urls import path

from civicgrid.urls import urlpatterns as product


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


def hello_user(request):
    """The floor of every staff page: the session read and the user loaded, nothing else."""
    return HttpResponse(f"hello {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), path("bench/hello-user", hello_user), *product]
