"""
The LMS routes around the product's hooks, as the doubles reproduce them (``tests/openedx_doubles``), next to the
demo's: the certificate page (``certificates:render_cert_by_uuid``), the learner's certificate request
(``generate_user_cert``) and the sign-in view (``login_ajax``).
"""
from django.urls import include, path

from honorcode_demo.urls import urlpatterns as demo_urlpatterns

from .openedx_doubles.accounts import login_urls
from .openedx_doubles.certificates import certificate_urls, generate_cert_urls

urlpatterns = [
    path("certificates/", include(certificate_urls)),
    *generate_cert_urls,
    *login_urls,
    *[route for route in demo_urlpatterns if getattr(route, "app_name", None) != "certificates"],
]
