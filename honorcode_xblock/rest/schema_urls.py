"""The URL configuration the OpenAPI schema describes: the REST API's endpoints (not the schema's own) at their prefix."""
from django.urls import include, path

from honorcode_xblock.rest.urls import urlpatterns

OWN_ROUTES = ("api-schema", "api-not-found")  # the schema itself, and the JSON 404 for paths that name nothing
urlpatterns = [path("api/honorcode/v1/", include([route for route in urlpatterns if route.name not in OWN_ROUTES]))]
