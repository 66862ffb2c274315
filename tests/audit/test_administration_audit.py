"""Every read and write in administration is in the hash-chained access log (issue 12, leak 7;
issue 16: edits of data sharing agreements)."""

from django.contrib import admin
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.admin import AuditedModelAdmin
from offramp.audit.chain import ROW_FIELDS, verify_chain
from offramp.audit.models import AuditAction, AuditEntry
from offramp.sharing.models import DataSharingAgreement
from tests.conftest import signed_in

PERSONAL_DATA_APPS = {
    "people",
    "referrals",
    "assessments",
    "audit",
    "cases",
    "interventions",
    "networks",
    "exports",
    "intake",
    "index",
    "screening",
    "retention",
}
# Standing configuration that names no person: the only models administration may hold.
ADMINISTERED = {
    "accounts.User",
    "accounts.AccessChange",
    "accounts.ApiToken",
    "accounts.SignInThrottle",
    "accounts.TotpDevice",
    "agencies.Agency",
    "cases.Panel",
    "sharing.DataSharingAgreement",
}


def entries(**filters: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters))


def test_a_change_list_view_writes_an_audit_entry(administrator: User) -> None:
    response = signed_in(administrator).get(reverse("admin:agencies_agency_changelist"))
    assert response.status_code == 200
    logged = entries(actor_id=administrator.pk, action=AuditAction.CONSULTATION)
    assert [(e.object_type, e.object_id, e.purpose) for e in logged] == [
        ("agency", "list", "administration")
    ]


def test_a_change_form_view_writes_an_audit_entry(
    administrator: User, agencies: dict[str, Agency]
) -> None:
    police = agencies["police"]
    signed_in(administrator).get(reverse("admin:agencies_agency_change", args=[police.pk]))
    assert entries(
        actor_id=administrator.pk,
        action=AuditAction.CONSULTATION,
        object_type="agency",
        object_id=str(police.pk),
    )


def test_adding_changing_and_deleting_in_administration_is_logged(administrator: User) -> None:
    client = signed_in(administrator)
    client.post(
        reverse("admin:agencies_agency_add"),
        {"slug": "new", "name": "New Agency", "kind": "other", "active": "on"},
    )
    agency = Agency.objects.get(slug="new")
    client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        {"slug": "new", "name": "Renamed Agency", "kind": "other", "active": "on"},
    )
    client.post(reverse("admin:agencies_agency_delete", args=[agency.pk]), {"post": "yes"})
    assert not Agency.objects.filter(pk=agency.pk).exists()
    written = [
        e.action
        for e in entries(actor_id=administrator.pk, object_type="agency", object_id=str(agency.pk))
        if e.action != AuditAction.CONSULTATION
    ]
    assert written == [AuditAction.COLLECTION, AuditAction.ALTERATION, AuditAction.ERASURE]
    assert (
        verify_chain(AuditEntry.objects.order_by("sequence").values_list(*ROW_FIELDS)).broken
        is None
    )


def test_a_data_sharing_agreement_edit_is_logged(
    administrator: User, partnership_agreement: DataSharingAgreement, agencies: dict[str, Agency]
) -> None:
    response = signed_in(administrator).post(
        reverse("admin:sharing_datasharingagreement_change", args=[partnership_agreement.pk]),
        {
            "reference": "HISP-TEST",
            "title": "Narrowed protocol",
            "parties": [agencies["police"].pk, agencies["council"].pk],
            "data_categories": ["identity"],
            "lawful_basis": partnership_agreement.lawful_basis,
            "lawful_basis_detail": partnership_agreement.lawful_basis_detail,
            "purpose": "Preventing serious and organised crime",
            "start_date": "2020-01-01",
            "review_date": "2999-01-01",
            "end_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert entries(
        actor_id=administrator.pk,
        action=AuditAction.ALTERATION,
        object_type="datasharingagreement",
        object_id=str(partnership_agreement.pk),
    )


def test_every_registered_administration_page_is_audited_and_holds_no_personal_data() -> None:
    labels = {model._meta.label for model in admin.site._registry}
    assert labels <= ADMINISTERED, f"administration reaches {sorted(labels - ADMINISTERED)}"
    unaudited = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert not unaudited
    for model_admin in admin.site._registry.values():
        assert not model_admin.inlines, f"{type(model_admin).__name__} has inlines"
        for field in model_admin.search_fields:
            app = field.split("__")[0]
            assert app not in PERSONAL_DATA_APPS


def test_the_access_change_decisions_page_is_logged(administrator: User) -> None:
    signed_in(administrator).get(reverse("admin:accounts_accesschange_changelist"))
    assert entries(actor_id=administrator.pk, object_type="accesschange", object_id="list")


def test_every_administration_list_and_the_user_pages_open_and_are_logged(
    administrator: User, coordinator: User
) -> None:
    client = signed_in(administrator)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert entries(actor_id=administrator.pk, object_type=opts.model_name, object_id="list")
    for url in (
        reverse("admin:accounts_user_change", args=[coordinator.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_history", args=[coordinator.pk]),
    ):
        assert client.get(url).status_code == 200, url
