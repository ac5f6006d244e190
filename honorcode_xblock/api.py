"""
The honor code's domain API: the one door that entry points (the XBlock, the filter steps, the middleware, the REST
API, the views, admin, commands, tasks and receivers) use.

It is a façade: each name is defined in the domain module of its concern (:mod:`honorcode_xblock.domain`), and this
module only hands them on, so that an entry point never needs to know how the domain is arranged:

====================  ==============================================================================================
``access``            who and where: users and courses behind a request or block, the course team, global staff
``versions``          policy versions: drafts, publishing, the version in force
``courses``           a course's terms and settings (Studio, adopted from an imported course)
``acceptances``       what a learner is shown, acceptances, continued use after a change, the change notification
``gate``              whether graded content is withheld (the hot path: 1 query cold, 0 warm; a read only)
``certificates``      certificates withheld where the honor code asks for it, and asked for again
``cases``             cases and their evidence, each respondent's earlier cases
``detection``         suspected multiple accounts: detection runs, the pairs, a case from a pair, prevention advice
``determinations``    determinations, the sanction workflow (apply, fail, retry, revert, resume) and the messages
``terminations``      what a terminated account means on each request
``learner_records``   the learner's own record, and retirement
``exports``           CSV exports
====================  ==============================================================================================

The rules they apply are in :mod:`honorcode_xblock.policy` and :mod:`honorcode_xblock.sanctions`; records and their
queries in :mod:`honorcode_xblock.models`; the platform behind it all in :mod:`honorcode_xblock.platform`.
"""
# pylint: disable=unused-import
from honorcode_xblock import audit
from honorcode_xblock.domain.acceptances import (
    AcceptanceStatus,
    ChangeNotice,
    LearnerView,
    PolicyChange,
    VersionCount,
    accept,
    acceptance_counts,
    acceptance_for,
    change_notice,
    current_acceptance,
    learner_view,
    mark_change_notice_shown,
    record_continued_use,
)
from honorcode_xblock.domain.access import (
    STAFF_CACHE_SECONDS,
    can_edit_course,
    course_key_for_block,
    course_name,
    course_tab_base,
    current_user,
    is_course_staff,
    is_gate_exempt_staff,
    is_global_staff,
    is_masquerading,
    require_course_staff,
    require_global_staff,
    user_for_request,
    user_for_xblock_user,
)
from honorcode_xblock.domain.cases import (
    DEFAULT_EVIDENCE_TYPES,
    CaseFile,
    EarlierCase,
    RespondentHistory,
    add_evidence,
    case_file,
    change_case_status,
    evidence_file,
    evidence_limits,
    get_case,
    list_cases,
    open_case,
)
from honorcode_xblock.domain.certificates import (
    answer_certificate_request,
    certificate_hold_reason,
    certificate_holds,
    certificate_link_uuid,
    certificate_refusal_reaches_learner,
    certificate_revoked,
    certificate_revoked_at_link,
    certificate_withheld,
    my_certificate_hold,
    request_certificate,
    withheld_certificate_status,
)
from honorcode_xblock.domain.courses import (
    SETTINGS_FIELDS,
    Assignment,
    CourseSettingsValues,
    adopt_block_settings,
    course_uses_honor_code,
    save_course_settings,
    studio_values,
    validate_course_settings,
)
from honorcode_xblock.domain.detection import (
    EVIDENCE_CSV_HEADER,
    EventSource,
    MasterGroup,
    PreventionAdvice,
    SuspectedPairsPage,
    detect_now,
    open_case_from_pair,
    prevention_advice,
    queue_detection,
    run_detection,
    source_from_settings,
    suspected_pairs,
    thresholds_from,
)
from honorcode_xblock.domain.determinations import (
    STALE_WORK_SECONDS,
    apply_sanction,
    determine,
    get_sanction,
    resume_pending_work,
    retry_sanction,
    retry_would_help,
    revert_sanction,
    send_notifications,
)
from honorcode_xblock.domain.exports import (
    ACCEPTANCE_CSV_HEADER,
    ACCEPTANCE_EXPORT_CHUNK,
    CASE_CSV_HEADER,
    acceptance_pages,
    acceptance_rows,
    acceptances_in_course,
    case_rows,
)
from honorcode_xblock.domain.gate import (
    GATE_CACHE_SECONDS,
    GateFacts,
    GateState,
    gate_state,
    handler_refusal,
    is_graded,
)
from honorcode_xblock.domain.learner_records import REDACTED, LearnerRecord, RecordEntry, learner_record, retire_user
from honorcode_xblock.domain.terminations import (
    TERMINATION_STATE_KEY,
    account_terminated,
    sign_in_proves_account,
    terminated_token_refusal,
)
from honorcode_xblock.domain.versions import (
    DEFAULT_POLICY_FILE,
    PolicyPage,
    create_policy_draft,
    current_policy,
    default_policy_text,
    delete_policy_draft,
    policy_in_force_at,
    policy_page,
    publish_new_policy,
    publish_policy,
    published_policies,
    published_policy,
    update_policy_draft,
    validate_policy_fields,
)
from honorcode_xblock.models import (
    AcceptanceMethod,
    AcceptanceMode,
    CaseStatus,
    ChangeKind,
    Commitment,
    DetectionStatus,
    Finding,
    HoldReason,
    SanctionKind,
    SanctionState,
)
from honorcode_xblock.policy import CASE_TRANSITIONS, MAX_RESPONDENTS, MAX_TEXT_LENGTH

__all__ = [
    "ACCEPTANCE_CSV_HEADER", "ACCEPTANCE_EXPORT_CHUNK", "AcceptanceMethod", "AcceptanceMode", "AcceptanceStatus",
    "Assignment", "CASE_CSV_HEADER", "CASE_TRANSITIONS", "CaseFile", "CaseStatus", "ChangeKind", "ChangeNotice",
    "Commitment", "CourseSettingsValues", "DEFAULT_EVIDENCE_TYPES", "DEFAULT_POLICY_FILE", "DetectionStatus",
    "EVIDENCE_CSV_HEADER", "EarlierCase", "EventSource", "Finding", "MasterGroup", "PreventionAdvice",
    "RespondentHistory", "SuspectedPairsPage", "detect_now", "open_case_from_pair", "prevention_advice",
    "queue_detection", "run_detection", "source_from_settings", "suspected_pairs", "thresholds_from",
    "GATE_CACHE_SECONDS", "GateFacts", "GateState", "HoldReason", "LearnerRecord", "LearnerView", "MAX_RESPONDENTS",
    "MAX_TEXT_LENGTH", "PolicyChange", "PolicyPage", "REDACTED", "RecordEntry", "SETTINGS_FIELDS",
    "STAFF_CACHE_SECONDS", "STALE_WORK_SECONDS", "SanctionKind", "SanctionState", "TERMINATION_STATE_KEY",
    "VersionCount", "accept", "acceptance_counts", "acceptance_for", "acceptance_pages", "acceptance_rows",
    "acceptances_in_course", "account_terminated", "add_evidence", "adopt_block_settings", "answer_certificate_request",
    "apply_sanction", "can_edit_course", "case_file", "case_rows", "certificate_hold_reason", "certificate_holds",
    "certificate_link_uuid", "certificate_refusal_reaches_learner", "certificate_revoked",
    "certificate_revoked_at_link", "certificate_withheld", "change_case_status", "change_notice",
    "course_key_for_block", "course_name", "course_tab_base", "course_uses_honor_code", "create_policy_draft",
    "current_acceptance", "current_policy", "current_user", "default_policy_text", "delete_policy_draft", "determine",
    "evidence_file", "evidence_limits", "gate_state", "get_case", "get_sanction", "handler_refusal", "is_course_staff",
    "is_gate_exempt_staff", "is_global_staff", "is_graded", "is_masquerading", "learner_record", "learner_view",
    "list_cases", "mark_change_notice_shown", "my_certificate_hold", "open_case", "policy_in_force_at", "policy_page",
    "publish_new_policy", "publish_policy", "published_policies", "published_policy", "record_continued_use",
    "request_certificate", "require_course_staff", "require_global_staff", "resume_pending_work", "retire_user",
    "retry_sanction", "retry_would_help", "revert_sanction", "save_course_settings", "send_notifications",
    "sign_in_proves_account", "studio_values", "terminated_token_refusal", "update_policy_draft", "user_for_request",
    "user_for_xblock_user", "validate_course_settings", "validate_policy_fields", "verify_audit",
    "withheld_certificate_status"
]


def verify_audit(scope=None):
    """Verify the audit chains (all, or one course's): (events checked, first broken link of each broken chain)."""
    return audit.verify(scope)
