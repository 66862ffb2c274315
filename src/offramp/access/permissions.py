"""Role capabilities. Every service checks one before it writes."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.sharing.models import DataSharingAgreement


class Capability(StrEnum):
    MAKE_REFERRAL = "make a referral"
    SCREEN_REFERRALS = "screen referrals"
    SEARCH_PEOPLE = "search for people"
    VIEW_PEOPLE = "view people's records"
    ASSESS = "record assessments"
    VIEW_AUDIT_LOG = "view the access log of records"
    DECIDE_SHARING = "record public-interest sharing decisions"
    DECIDE_RETENTION = "decide whether records are kept or disposed of"
    VIEW_RETENTION = "view the retention review queue"
    RUN_CASES = "screen, route and run cases and panels"
    CONTRIBUTE_TO_PANEL = "bring your agency's information to a panel"
    MANAGE_CATALOGUE = "add and retire programmes in the intervention catalogue"
    EXPORT_RECORDS = "export records"
    APPROVE_EXPORTS = "approve another person's export over the daily limit"
    SUBJECT_ACCESS = "produce a subject access export"
    MANAGE_NETWORKS = "record and analyse organised crime groups and networks"
    IMPORT_PARTNER_DATA = "import partner agencies' extracts"
    REVIEW_MATCHES = "review record linkage matches and merge or unmerge people"
    VIEW_CANDIDATES = "see the candidates that screening finds in partner data"
    VIEW_REPORTS = "produce the Local Profile and what-works reports"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Referrers may export their own referral list (its status only), under the daily limit.
    Role.PRACTITIONER: frozenset({Capability.MAKE_REFERRAL, Capability.EXPORT_RECORDS}),
    Role.PANEL_MEMBER: frozenset(
        {Capability.MAKE_REFERRAL, Capability.CONTRIBUTE_TO_PANEL, Capability.EXPORT_RECORDS}
    ),
    # The coordinator works the cases; whoever reads the access log must not be one of them.
    # Listed one by one so that a new capability reaches nobody until someone decides who gets it.
    Role.COORDINATOR: frozenset(
        {
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
    ),
    # Analysts map groups and networks (Figure 5); they still open no person's record.
    # They also produce the Local Profile, which holds only suppressed aggregates.
    Role.ANALYST: frozenset({Capability.MANAGE_NETWORKS, Capability.VIEW_REPORTS}),
    # Auditors oversee retention (the queue, record numbers only); coordinators decide. They
    # also approve exports over the daily limit: a second person outside the case work, who
    # sees what was asked for and why, never the file.
    Role.AUDITOR: frozenset(
        {Capability.VIEW_AUDIT_LOG, Capability.VIEW_RETENTION, Capability.APPROVE_EXPORTS}
    ),
    Role.ADMINISTRATOR: frozenset(),
}


def has_capability(user: User, capability: Capability) -> bool:
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def acting_agency(user: User) -> Agency:
    """The agency a user acts for; every write is attributed to one."""
    if user.agency is None:
        raise PermissionDenied("Your account is not attached to an agency.")
    return user.agency


def require_capability(user: User, capability: Capability) -> None:
    require_any_capability(user, (capability,))


def require_any_capability(user: User, capabilities: tuple[Capability, ...]) -> None:
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDenied(f"Your role does not allow you to {capabilities[0].value}.")


# Roles that open person records and assessments at all; which ones is people_visible_to's
# rule. A panel member reads those behind the cases before their panel (ADR 0008).
PERSON_RECORD_READERS = (Capability.VIEW_PEOPLE, Capability.CONTRIBUTE_TO_PANEL)


def may_see_cases(user: User) -> bool:
    """The coordinator sees every case; a panel member those on their panel's agendas."""
    return has_capability(user, Capability.RUN_CASES) or has_capability(
        user, Capability.CONTRIBUTE_TO_PANEL
    )


# --- administration ------------------------------------------------------------------------


def is_administrator(user: User) -> bool:
    """Administrators keep accounts and standing data for the whole partnership, not for one
    agency (the first, set up on the command line before any agency exists, has none), so this
    is not a capability of has_capability, which needs an agency."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.role == Role.ADMINISTRATOR
    )


def require_administrator(user: User, *, to: str) -> None:
    if not is_administrator(user):
        raise PermissionDenied(f"Only an administrator may {to}.")


def may_reset_credentials(actor: User, user: User) -> bool:
    """An administrator resets only their own password or two-factor device in
    administration. Whoever sets someone else's could sign in as them: as a coordinator, to
    read the records that person may see; as another administrator, to be the "second
    administrator" who approves their own change. Other people's are reset on the server
    (`offramp changepassword`, `offramp unlock --reset-two-factor`), where the change is run
    by someone with the server's own access."""
    return is_administrator(actor) and user.pk == actor.pk


def may_approve_agreement(actor: User, agreement: DataSharingAgreement) -> bool:
    """A widened data sharing agreement takes a second administrator: anyone but the one who
    last widened it (so one administrator alone never opens another agency's records)."""
    return is_administrator(actor) and agreement.changed_by_id != actor.pk
