"""URLs of the honor code app (mounted under ``/honorcode/`` in the LMS and CMS by the plugin framework)."""
from django.urls import path

from honorcode_xblock import views

app_name = "honorcode"

urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("v<int:number>/", views.policy_page, name="policy_version"),
    path("courses/<path:course_id>/accept/", views.accept_view, name="accept"),
]
