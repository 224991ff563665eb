"""Siblings sharing a name as data from before the rule holds them: the names written
straight into the versions, past the services (which would refuse them)."""

from __future__ import annotations

from congvu.conftest import START, kind
from congvu.core.text import fold, name_key
from congvu.organisations import services
from congvu.organisations.models import Organisation, OrganisationVersion

Province = dict[str, Organisation]


def unit(parent: Organisation, code: str, name: str) -> Organisation:
    return services.create_organisation(
        actor=None, code=code, name=name, kind=kind("division"), parent=parent, valid_from=START
    )


def force_name(organisation: Organisation, name: str) -> Organisation:
    """Give `organisation` `name` in every version, as an old import would have."""
    OrganisationVersion.objects.filter(organisation=organisation).update(
        name=name, name_key=name_key(name), search_text=fold(name)
    )
    Organisation.objects.filter(pk=organisation.pk).update(name=name, search_text=fold(name))
    return Organisation.objects.get(pk=organisation.pk)


def clash_in_justice(province: Province) -> tuple[Organisation, Organisation]:
    """ "Văn phòng" (H56.02.02) and "VĂN PHÒNG" (H56.02.03) under the Department of Justice."""
    office = unit(province["dept_justice"], "H56.02.02", "Văn phòng")
    shouting = force_name(unit(province["dept_justice"], "H56.02.03", "Phòng tạm"), "VĂN PHÒNG")
    return office, shouting
