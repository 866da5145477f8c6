"""Test data builders, in one place. Only synthetic data; NHS numbers from the 999 range."""

import datetime
import itertools

import factory

from pathway.accounts.models import Role, User
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService
from pathway.patients.models import Patient

TEST_PASSWORD = "correct-horse-battery-staple"


def _valid_test_nhs_numbers():
    """999 000 0000 upwards, keeping only numbers whose modulus 11 check digit is valid."""
    for serial in itertools.count(1):
        stem = f"999{serial:06d}"
        total = sum(
            int(digit) * weight for digit, weight in zip(stem, range(10, 1, -1), strict=True)
        )
        check = 11 - total % 11
        if check == 10:
            continue
        yield stem + str(0 if check == 11 else check)


_nhs_numbers = _valid_test_nhs_numbers()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissioningArea

    code = factory.Sequence(lambda n: f"Q{n:03d}")
    name = factory.Sequence(lambda n: f"Area {n}")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GPPractice

    ods_code = factory.Sequence(lambda n: f"A{n:05d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    area = factory.SubFactory(AreaFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderService

    code = factory.Sequence(lambda n: f"SVC{n}")
    name = factory.Sequence(lambda n: f"MSK service {n}")
    area = factory.SubFactory(AreaFactory)
    duty_clinician_email = "duty@example.nhs.uk"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    role = Role.GP
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class GPFactory(UserFactory):
    role = Role.GP
    practice = factory.SubFactory(PracticeFactory)


class TTPFactory(UserFactory):
    role = Role.TTP
    service = factory.SubFactory(ServiceFactory)


class ManagerFactory(UserFactory):
    role = Role.MANAGER
    service = factory.SubFactory(ServiceFactory)


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR
    is_staff = True
    is_superuser = True


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    nhs_number = factory.LazyFunction(lambda: next(_nhs_numbers))
    given_name = "Test"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = datetime.date(1970, 6, 15)
    sex = "female"
    postcode = "NE1 4LP"
    email = "patient@example.com"
    consents_to_contact = True
    registered_practice = factory.SubFactory(PracticeFactory)
