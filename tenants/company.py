"""A company's profile fields (organisation, address, phone, registration number) and checks."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import FieldError
from tenants.registration_number import check_registration_number, normalise_registration_number
from tenants.validation import (
    check_email,
    check_length,
    check_phone,
    check_postal_code,
    check_prefecture,
    nfkc,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    required,
)


@dataclass(frozen=True)
class CompanyProfile:
    organization_name: str
    contact_name: str
    contact_email: str
    postal_code: str
    prefecture: str
    address: str
    phone: str
    registration_number: str

    def normalised(self) -> CompanyProfile:
        return CompanyProfile(
            organization_name=nfkc(self.organization_name),
            contact_name=nfkc(self.contact_name),
            contact_email=normalise_email(self.contact_email),
            postal_code=normalise_postal_code(self.postal_code),
            prefecture=nfkc(self.prefecture),
            address=nfkc(self.address),
            phone=normalise_phone(self.phone),
            registration_number=normalise_registration_number(self.registration_number),
        )

    def errors(self) -> list[FieldError]:
        """Every problem at once, so a form can mark all its fields."""
        return [
            *required("organization_name", self.organization_name),
            *check_length("organization_name", self.organization_name, 255),
            *required("contact_name", self.contact_name),
            *check_email("contact_email", self.contact_email),
            *check_postal_code("postal_code", self.postal_code),
            *check_prefecture("prefecture", self.prefecture),
            *required("address", self.address),
            *check_length("address", self.address, 255),
            *check_phone("phone", self.phone),
            *check_registration_number(self.registration_number),
        ]
