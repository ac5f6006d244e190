"""
The honor code's records and their queries, one module per concern: policy versions, course terms and settings,
acceptances, the audit trail, cases (with evidence, determinations and notifications), sanctions with the
certificate holds, and detection runs with the suspected pairs they found. Models own their queries (manager methods); everything outside the app reaches them through ``api``.
"""
from honorcode_xblock.models.acceptances import Acceptance, AcceptanceMethod, AcceptanceQuerySet
from honorcode_xblock.models.audit import AuditChainHead, AuditEvent, AuditEventQuerySet
from honorcode_xblock.models.cases import (
    Case,
    CaseQuerySet,
    CaseRespondent,
    CaseStatus,
    Commitment,
    Determination,
    Evidence,
    Finding,
    Notification,
    evidence_upload_to,
)
from honorcode_xblock.models.courses import (
    AcceptanceMode,
    CourseSettings,
    CourseSettingsQuerySet,
    CourseTerms,
    CourseTermsQuerySet,
)
from honorcode_xblock.models.detection import (
    DetectionRun,
    DetectionRunQuerySet,
    DetectionStatus,
    SuspectedPair,
    SuspectedPairQuerySet,
)
from honorcode_xblock.models.sanctions import (
    CertificateHold,
    CertificateHoldQuerySet,
    HoldReason,
    Sanction,
    SanctionKind,
    SanctionQuerySet,
    SanctionState,
)
from honorcode_xblock.models.versions import (
    ChangeKind,
    PolicyVersion,
    PolicyVersionQuerySet,
    PublishedVersionIsReadOnly,
)

__all__ = [
    "Acceptance", "AcceptanceMethod", "AcceptanceMode", "AcceptanceQuerySet", "AuditChainHead", "AuditEvent",
    "AuditEventQuerySet", "Case", "CaseQuerySet", "CaseRespondent", "CaseStatus", "CertificateHold",
    "CertificateHoldQuerySet", "ChangeKind", "Commitment", "CourseSettings", "CourseSettingsQuerySet", "CourseTerms",
    "CourseTermsQuerySet", "DetectionRun", "DetectionRunQuerySet", "DetectionStatus", "Determination", "Evidence", "Finding", "HoldReason", "Notification", "PolicyVersion",
    "PolicyVersionQuerySet", "PublishedVersionIsReadOnly", "Sanction", "SanctionKind", "SanctionQuerySet",
    "SanctionState", "SuspectedPair", "SuspectedPairQuerySet", "evidence_upload_to",
]
