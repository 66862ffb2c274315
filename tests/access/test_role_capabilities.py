"""Every capability is granted on purpose: the coordinator's list is written out here, so that
adding a capability fails this test until someone decides which roles get it."""

from offramp.access.permissions import ROLE_CAPABILITIES, Capability
from offramp.accounts.models import Role

COORDINATOR_CAPABILITIES = {
    Capability.MAKE_REFERRAL,
    Capability.SCREEN_REFERRALS,
    Capability.SEARCH_PEOPLE,
    Capability.VIEW_PEOPLE,
    Capability.ASSESS,
    Capability.DECIDE_SHARING,
    Capability.DECIDE_RETENTION,
    Capability.VIEW_RETENTION,
    Capability.RUN_CASES,
    Capability.CONTRIBUTE_TO_PANEL,
    Capability.MANAGE_CATALOGUE,
    Capability.EXPORT_RECORDS,
    Capability.APPROVE_EXPORTS,
    Capability.SUBJECT_ACCESS,
    Capability.MANAGE_NETWORKS,
    Capability.IMPORT_PARTNER_DATA,
    Capability.REVIEW_MATCHES,
    Capability.VIEW_CANDIDATES,
    Capability.VIEW_REPORTS,
}


def test_every_capability_is_granted_to_some_role() -> None:
    granted = set().union(*ROLE_CAPABILITIES.values())
    assert set(Capability) - granted == set()


def test_the_coordinator_has_exactly_the_listed_capabilities() -> None:
    assert ROLE_CAPABILITIES[Role.COORDINATOR] == COORDINATOR_CAPABILITIES


def test_whoever_reads_the_access_log_works_no_cases() -> None:
    readers = [
        role for role, granted in ROLE_CAPABILITIES.items() if Capability.VIEW_AUDIT_LOG in granted
    ]
    assert readers == [Role.AUDITOR]
    assert Capability.RUN_CASES not in ROLE_CAPABILITIES[Role.AUDITOR]


def test_every_role_has_a_capability_list() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role)
