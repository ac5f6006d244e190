"""The URL configuration the OpenAPI schema describes: the REST API alone, at its mounted prefix."""
from django.urls import include, path

urlpatterns = [path("api/honorcode/v1/", include("honorcode_xblock.rest.urls"))]
