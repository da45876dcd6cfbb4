"""URLs of the test CAS server: the CAS endpoints under /cas/."""

from django.urls import include, path

urlpatterns = [path("cas/", include("cas_server.urls", namespace="cas_server"))]
