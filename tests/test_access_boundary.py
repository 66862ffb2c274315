"""Pages, the API and selectors read personal data only through offramp.access (ADR 0002).

An AST scan of every view, API, selector and web module under src/offramp: none may name a
personal-data model's manager (`Person.objects`, `Case._default_manager`...). They start from a
scoped queryset of offramp.access.scoping (`cases_visible_to(user).filter(...)`) or from a
related manager of an object already fetched through it. A read that is rightly unscoped (the
Local Profile's bulk aggregates) is a function in access/ too, so the rule has no allow-list.
"""

import ast
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[1] / "src" / "offramp"

# Every model that holds a person's data, or says something about a person (a grade, a
# decision, a match, who looked at them).
PERSONAL_MODELS = frozenset(
    {
        # people
        "Person",
        "PersonAlias",
        "AgencyIdentifier",
        # referrals and assessments
        "Referral",
        "ReferralFactor",
        "Assessment",
        "FactorJudgement",
        # cases and panels
        "Case",
        "CaseLink",
        "AgendaItem",
        "Contribution",
        "Placement",
        "PanelAction",
        "CaseReview",
        "ConsentRecord",
        # sharing
        "Disclosure",
        "PublicInterestDecision",
        # retention
        "RetentionReview",
        # the person index
        "MatchReview",
        "PersonMerge",
        "KnownCheck",
        "KnownCheckMatch",
        # partner extracts
        "SourceRecord",
        "ImportedFact",
        "Offence",
        "CareEpisode",
        "SchoolExclusion",
        "YouthOffendingOrder",
        "PrisonRelease",
        "ProbationSupervision",
        "HealthContact",
        "ImportedGroup",
        "ImportedMembership",
        "ImportedRelationship",
        # networks
        "GroupMembership",
        "Relationship",
        "DismissedSuggestion",
        "NamingPurpose",
        # screening
        "CandidateEvidence",
        "CandidateDecision",
        # the timeline, the access log and exports
        "Event",
        "AuditEntry",
        "ExportRecord",
    }
)
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
# Shortcuts that read through the model's default manager when handed the model itself.
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404"})


def is_checked(relative: Path) -> bool:
    """Views, the API, selectors and the web shell; access/ is where the rules live."""
    parts = relative.parts
    if parts[0] == "access":
        return False
    name = relative.name
    parent = parts[-2] if len(parts) > 1 else ""
    return (
        parts[0] == "web"
        or name in {"views.py", "api.py", "selectors.py"}
        or parent in {"views", "api"}
    )


def _model_named(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):  # models.Person
        return node.attr
    return None


def unscoped_reads(source: str) -> list[str]:
    """`line: Model.manager` for each personal-data model manager the source names (or
    `line: shortcut(Model)` for a model handed to get_object_or_404), through any alias it was
    imported as (`from ... import Person as P`)."""
    tree = ast.parse(source)
    aliases = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            model = _model_named(node.value, aliases)
            if model in PERSONAL_MODELS:
                found.append(f"{node.lineno}: {model}.{node.attr}")
        elif isinstance(node, ast.Call) and node.args:
            shortcut = _model_named(node.func, aliases)
            model = _model_named(node.args[0], aliases)
            if shortcut in SHORTCUTS and model in PERSONAL_MODELS:
                found.append(f"{node.lineno}: {shortcut}({model})")
    return sorted(found, key=lambda read: int(read.split(":")[0]))


def checked_modules() -> list[Path]:
    return sorted(
        path
        for path in SOURCE_DIR.rglob("*.py")
        if "migrations" not in path.parts and is_checked(path.relative_to(SOURCE_DIR))
    )


def test_pages_api_and_selectors_read_personal_data_only_through_access() -> None:
    violations = [
        f"src/offramp/{path.relative_to(SOURCE_DIR)}:{read}"
        for path in checked_modules()
        for read in unscoped_reads(path.read_text())
    ]
    assert not violations, (
        "Start from a scoped queryset of offramp.access.scoping (or add a well-named one "
        "there) instead of:\n" + "\n".join(violations)
    )


def test_the_scan_covers_views_api_selectors_and_the_web_shell() -> None:
    checked = {str(path.relative_to(SOURCE_DIR)) for path in checked_modules()}
    assert {
        "cases/selectors.py",
        "retention/views.py",
        "exports/api.py",
        "web/urls.py",
    } <= checked
    assert any(name.startswith("cases/views/") for name in checked)
    assert not any(name.startswith("access/") for name in checked)
    assert "cases/services.py" not in checked


PLANTED = """
from offramp.people.models import Person as Someone
from offramp.cases import models
from offramp.cases.models import Case, Panel


def everyone():
    return Someone.objects.all()


def every_case():
    return models.Case._default_manager.filter(status="open")


def panels():
    return Panel.objects.all()  # not personal data


def scoped(user):
    return cases_visible_to(user).filter(pk__in=Case.objects.values("pk"))


def one(pk):
    return get_object_or_404(Someone, pk=pk)


def one_scoped(user, pk):
    return get_object_or_404(cases_visible_to(user), pk=pk)
"""


def test_the_scan_flags_a_planted_unscoped_read() -> None:
    assert unscoped_reads(PLANTED) == [
        "8: Person.objects",
        "12: Case._default_manager",
        "20: Case.objects",
        "24: get_object_or_404(Person)",
    ]
