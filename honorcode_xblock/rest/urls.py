"""URLs of the REST API v1 (under ``/api/honorcode/v1/``), and its OpenAPI 3 schema at ``schema/``."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from honorcode_xblock.rest import views

COURSE = "courses/<path:course_id>"

urlpatterns = [
    # a PATCH body has the same required fields as the serializer says (drf-spectacular would make them optional)
    path("schema/", SpectacularAPIView.as_view(urlconf="honorcode_xblock.rest.schema_urls",
                                               custom_settings={"COMPONENT_SPLIT_PATCH": False}), name="api-schema"),
    path("policy-versions/", views.PolicyVersionList.as_view(), name="api-policy-versions"),
    path("policy-versions/<int:number>/", views.PolicyVersionDetail.as_view(), name="api-policy-version"),
    path("me/record/", views.MyRecord.as_view(), name="api-my-record"),
    path(f"{COURSE}/acceptance/", views.CourseAcceptance.as_view(), name="api-acceptance"),
    path(f"{COURSE}/acceptances/", views.CourseAcceptances.as_view(), name="api-acceptances"),
    path(f"{COURSE}/acceptances.csv", views.CourseAcceptancesCsv.as_view(), name="api-acceptances-csv"),
    path(f"{COURSE}/cases/", views.CaseList.as_view(), name="api-cases"),
    path(f"{COURSE}/cases.csv", views.CasesCsv.as_view(), name="api-cases-csv"),
    path("cases/<int:case_id>/", views.CaseDetail.as_view(), name="api-case"),
    path("cases/<int:case_id>/evidence/", views.CaseEvidence.as_view(), name="api-case-evidence"),
    path("cases/<int:case_id>/determination/", views.CaseDetermination.as_view(), name="api-case-determination"),
    path("sanctions/<int:sanction_id>/", views.SanctionDetail.as_view(), name="api-sanction"),
    path("sanctions/<int:sanction_id>/retry/", views.SanctionRetry.as_view(), name="api-sanction-retry"),
    path("sanctions/<int:sanction_id>/revert/", views.SanctionRevert.as_view(), name="api-sanction-revert"),
    # anything else under the API (an id that is no number, a path that names nothing) is the API's JSON 404
    re_path(r"^[\s\S]*$", views.not_found, name="api-not-found"),
]
