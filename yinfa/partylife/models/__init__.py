from yinfa.partylife.models.assessment import (
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    AssessmentTemplate,
    BranchAssessment,
    ItemScore,
    ItemSource,
    RoundStatus,
    Scheme,
)
from yinfa.partylife.models.branch import (
    COMMITTEE_FROM,
    COMMUNITY_TERM_YEARS,
    MAX_MEMBERS,
    MIN_FULL_MEMBERS,
    TERM_WARNING_DAYS,
    TERM_YEARS,
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
)
from yinfa.partylife.models.compliance import BranchCompliance, ComplianceReminder, ComplianceRule
from yinfa.partylife.models.meeting import (
    PARTICIPATING,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingFile,
    MeetingKind,
)
from yinfa.partylife.models.membership import (
    CommunityRegistration,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.partylife.periods import Frequency

__all__ = [
    "COMMITTEE_FROM", "COMMUNITY_TERM_YEARS", "MAX_MEMBERS", "MIN_FULL_MEMBERS", "PARTICIPATING",
    "TERM_WARNING_DAYS", "TERM_YEARS", "AssessmentItem", "AssessmentRound", "AssessmentStatus", "AssessmentTemplate",
    "Attendance", "AttendanceStatus", "Branch", "BranchAssessment", "BranchCompliance", "BranchKind",
    "CommitteeMember", "CommitteePost", "CommitteeTerm", "CommunityRegistration", "ComplianceReminder",
    "ComplianceRule", "Frequency", "ItemScore", "ItemSource", "JoinedBy", "LeftBy", "Meeting", "MeetingFile",
    "MeetingKind", "Membership", "Relation", "RoundStatus", "Scheme", "Standing",
]
