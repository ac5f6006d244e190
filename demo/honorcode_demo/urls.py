"""The workbench's URLs plus the honor code app's (at the root, as the LMS mounts them) and the demo's own pages."""
from django.urls import URLPattern, include, path, re_path
from workbench.urls import urlpatterns as workbench_urlpatterns

from honorcode_demo import views

#: The workbench's handler routes, whose view answers an unknown handler name with a 500: the demo's wrapper answers
#: 404, as the LMS's ``handle_xblock_callback`` does.
HANDLER_ROUTES = {"handler", "aside_handler", "unauth_handler"}


def _workbench_route(route):
    if isinstance(route, URLPattern) and route.name in HANDLER_ROUTES:
        return URLPattern(route.pattern, views.unknown_handler_is_404(route.callback), route.default_args, route.name)
    return route


urlpatterns = [
    re_path(r"^", include("honorcode_xblock.urls", namespace="honorcode")),
    path("demo/login/", views.login, name="demo-login"),
    path("demo/logout/", views.logout, name="demo-logout"),
    path("demo/outbox/", views.outbox, name="demo-outbox"),
    path("demo/learner/<str:username>/", views.learner_status, name="demo-learner"),
    path("demo/certificate/<str:username>/", views.request_certificate, name="demo-certificate"),
    # the LMS's certificate page route (``lms/djangoapps/certificates/urls.py``, namespace ``certificates``)
    path("certificates/", include(([re_path(r"^(?P<certificate_uuid>[0-9a-f]{32})$", views.certificate_page,
                                            name="render_cert_by_uuid")], "certificates"))),
    *[_workbench_route(route) for route in workbench_urlpatterns],
]
