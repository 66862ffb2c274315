"""Recording a public-interest decision to share a person's information."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from offramp.access.permissions import Capability
from offramp.access.scoping import people_visible_to
from offramp.audit.services import audit_consultation
from offramp.sharing.services import PublicInterestRequest, public_interest_decision_record
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import get_visible_or_404, require

from .forms import PublicInterestDecisionForm


@login_required
def public_interest_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.DECIDE_SHARING)
    person = get_visible_or_404(people_visible_to(user), pk)
    audit_consultation(actor=user, subjects=[person], purpose="information sharing")
    form = PublicInterestDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            public_interest_decision_record(
                person=person,
                actor=user,
                request=PublicInterestRequest(
                    from_agency_id=data["from_agency"].pk,
                    to_agency_id=data["to_agency"].pk if data["to_agency"] else None,
                    data_categories=tuple(data["data_categories"]),
                    description=data["description"],
                    reason=data["reason"],
                ),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Public-interest decision recorded")
            return redirect("web:person-detail", pk=person.pk)
    return render(request, "sharing/public_interest_form.html", {"person": person, "form": form})
