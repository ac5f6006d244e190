"""The workbench's URLs plus the honor code app's (at the root, as the LMS mounts them) and the demo's own pages."""
from django.urls import include, path, re_path
from workbench.urls import urlpatterns as workbench_urlpatterns

from honorcode_demo import views

urlpatterns = [
    re_path(r"^", include("honorcode_xblock.urls", namespace="honorcode")),
    path("demo/login/", views.login, name="demo-login"),
    path("demo/logout/", views.logout, name="demo-logout"),
    path("demo/outbox/", views.outbox, name="demo-outbox"),
    path("demo/learner/<str:username>/", views.learner_status, name="demo-learner"),
    path("demo/certificate/<str:username>/", views.request_certificate, name="demo-certificate"),
    *workbench_urlpatterns,
]
