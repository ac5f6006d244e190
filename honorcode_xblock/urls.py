"""
URLs of the honor code app, mounted at the site's root by the plugin framework (namespace ``honorcode``):
the pages under ``/honorcode/`` and the REST API under ``/api/honorcode/v1/``.
"""
from django.urls import include, path

from honorcode_xblock import views

app_name = "honorcode"

COURSE = "courses/<path:course_id>"

pages = [
    path("", views.policy_page, name="policy"),
    path("v<int:number>/", views.policy_page, name="policy_version"),
    path("me/", views.my_record, name="my_record"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/evidence/", views.case_evidence, name="case_evidence"),
    path("cases/<int:case_id>/status/", views.case_status, name="case_status"),
    path("cases/<int:case_id>/determine/", views.case_determine, name="case_determine"),
    path("evidence/<int:evidence_id>/file/", views.evidence_download, name="evidence_file"),
    path("suspected-pairs/<int:pair_id>/case/", views.case_from_pair, name="case_from_pair"),
    path("sanctions/<int:sanction_id>/retry/", views.sanction_retry, name="sanction_retry"),
    path("sanctions/<int:sanction_id>/revert/", views.sanction_revert, name="sanction_revert"),
    path(f"{COURSE}/accept/", views.accept_view, name="accept"),
    path(f"{COURSE}/cases/", views.cases_page, name="cases"),
    path(f"{COURSE}/cases/new/", views.new_case, name="new_case"),
    path(f"{COURSE}/cases.csv", views.cases_csv, name="cases_csv"),
    path(f"{COURSE}/suspected-accounts/", views.suspected_pairs_page, name="suspected_pairs"),
    path(f"{COURSE}/suspected-accounts/run/", views.run_detection, name="run_detection"),
]

urlpatterns = [
    path("honorcode/", include(pages)),
    path("api/honorcode/v1/", include("honorcode_xblock.rest.urls")),
]
