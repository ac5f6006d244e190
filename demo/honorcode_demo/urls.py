"""The workbench's URLs plus the honor code app's, as the LMS mounts them."""
from django.urls import include, path, re_path
from workbench.urls import urlpatterns as workbench_urlpatterns

urlpatterns = [
    re_path(r"^honorcode/", include("honorcode_xblock.urls", namespace="honorcode")),
    *workbench_urlpatterns,
]
