"""The region's organisations and staff: areas, practices, services, GPs, TTPs and managers.

A generated region is written as rows like everything else. The demo instead attaches the
generated care to its own named organisations and users (`attach_region`).
"""

import math
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from pathway.accounts.models import Role, User
from pathway.demo.generator import distributions as d
from pathway.demo.generator.names import clinic_name, person_name, place_name
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService

BENCH_PASSWORD = "demo-pathway-2026"  # noqa: S105 - documented: synthetic bench data only
BENCH_USERS = ("region.gp", "region.ttp", "region.manager")
# Outward codes of each generated area: invented, North East and Cumbria-like prefixes.
AREA_POSTCODES = (("NE", "SR", "DH"), ("TS", "DL", "YO"), ("CA", "LA", "NE"))
AREA_NAMES = ("Tyne and Wear", "Tees Valley", "Cumbria and Northumberland")


@dataclass
class Service:
    id: int
    area_id: int
    name: str
    clinics: list
    ttp_ids: list = field(default_factory=list)
    weight: float = 0.0


@dataclass
class Practice:
    id: int
    area_id: int
    weight: float
    home_service: Service
    postcode_prefixes: tuple
    gp_ids: list = field(default_factory=list)


@dataclass
class Region:
    practices: list
    services: list
    # The services each practice's area offers, for the few referrals sent to a neighbour.
    services_by_area: dict
    bench_users: dict = field(default_factory=dict)


def build_region(*, rng, writer, ids, episodes):
    """Write a new region's organisations and staff; return the Region the care is made from."""
    areas_n, services_n, practices_n, ttps_n, gps_n = d.region_shape(episodes)
    now = timezone.now()
    services, services_by_area, area_ids = [], {}, []
    for number in range(areas_n):
        area_id = ids.take(CommissioningArea)
        area_ids.append(area_id)
        writer.add(
            CommissioningArea,
            {"id": area_id, "code": f"RGN{number + 1:02d}", "name": f"{AREA_NAMES[number]} ICB"},
        )
    for number in range(services_n):
        area_id = area_ids[number % areas_n]
        place = place_name(rng)
        service = Service(
            id=ids.take(ProviderService),
            area_id=area_id,
            name=f"{place} MSK Triage and Treat",
            clinics=[clinic_name(rng, place) for _ in range(3)],
        )
        services.append(service)
        services_by_area.setdefault(area_id, []).append(service)
        writer.add(ProviderService, _service_row(service, number))
    practices = []
    for number in range(practices_n):
        area_index = number % areas_n
        area_id = area_ids[area_index]
        local = services_by_area[area_id]
        practice = Practice(
            id=ids.take(GPPractice),
            area_id=area_id,
            weight=rng.lognormvariate(math.log(d.PRACTICE_LIST_MEDIAN), d.PRACTICE_LIST_SIGMA),
            home_service=local[number // areas_n % len(local)],
            postcode_prefixes=AREA_POSTCODES[area_index % len(AREA_POSTCODES)],
        )
        practice.home_service.weight += practice.weight
        practices.append(practice)
        writer.add(
            GPPractice,
            {
                "id": practice.id,
                "ods_code": f"Y9{number + 1:04d}",
                "name": f"{place_name(rng)} {rng.choice(PRACTICE_KINDS)}",
                "area_id": area_id,
            },
        )
    region = Region(practices=practices, services=services, services_by_area=services_by_area)
    # The bench logins work where a typical share of the data is: the practice and the service
    # nearest the mean size. They are made first, so they are one of their colleagues.
    typical_practice = _nearest_to_mean(practices)
    typical_service = _nearest_to_mean(services)
    bench = {}
    # One hash for the three bench logins: password hashing is slow on purpose.
    writer.bench_password = make_password(BENCH_PASSWORD)
    for practice in practices:
        for number in range(gps_n):
            username = "region.gp" if practice is typical_practice and number == 0 else None
            user_id = _staff(rng, writer, ids, now, Role.GP, username, practice_id=practice.id)
            practice.gp_ids.append(user_id)
            if username:
                bench[username] = user_id
    for service in services:
        for number in range(ttps_n):
            username = "region.ttp" if service is typical_service and number == 0 else None
            user_id = _staff(rng, writer, ids, now, Role.TTP, username, service_id=service.id)
            service.ttp_ids.append(user_id)
            if username:
                bench[username] = user_id
        username = "region.manager" if service is typical_service else None
        user_id = _staff(rng, writer, ids, now, Role.MANAGER, username, service_id=service.id)
        if username:
            bench[username] = user_id
    region.bench_users = bench
    return region


PRACTICE_KINDS = (
    "Medical Practice",
    "Surgery",
    "Health Centre",
    "Medical Group",
    "Family Practice",
)


def _nearest_to_mean(organisations):
    mean = sum(o.weight for o in organisations) / len(organisations)
    return min(organisations, key=lambda o: abs(o.weight - mean))


def _service_row(service, number):
    return {
        "id": service.id,
        "code": f"RGN-MSK-{number + 1:02d}",
        "name": service.name,
        "area_id": service.area_id,
        "phone": f"0191 496 {number:04d}",  # Ofcom's drama range: never a real number
        "duty_clinician_email": f"duty.rgn{number + 1:02d}@example.nhs.uk",
        **_default_rules(),
    }


def _default_rules():
    return {
        f.attname: f.default
        for f in ProviderService._meta.concrete_fields
        if f.attname not in {"id", "code", "name", "area_id", "phone", "duty_clinician_email"}
    }


def _staff(rng, writer, ids, now, role, username, *, practice_id=None, service_id=None):
    user_id = ids.take(User)
    given, family = person_name(rng, rng.random() < 0.6)
    username = username or f"rgn.{role}.{user_id}"
    writer.add(
        User,
        {
            "id": user_id,
            # Only the bench logins can sign in; everyone else has an unusable password.
            "password": writer.bench_password
            if username in BENCH_USERS
            else f"!{rng.getrandbits(160):040x}",
            "last_login": None,
            "is_superuser": False,
            "username": username,
            "first_name": given,
            "last_name": family,
            "email": f"{username}@example.nhs.uk",
            "is_staff": False,
            "is_active": True,
            "date_joined": now,
            "role": role,
            "practice_id": practice_id,
            "service_id": service_id,
            "area_id": None,
        },
    )
    return user_id


def attach_region(*, homes, rng):
    """A Region made of existing organisations and staff (the demo's), to generate care for.

    `homes` is [(practice, its home service, weight)]; every GP and TTP already at those
    organisations takes part.
    """
    services, by_area, practices = {}, {}, []
    for practice, service, weight in homes:
        if service.pk not in services:
            entry = Service(
                id=service.pk,
                area_id=service.area_id,
                name=service.name,
                clinics=[clinic_name(rng, service.name.split()[0]) for _ in range(2)],
                ttp_ids=_staff_ids(service=service, role=Role.TTP),
            )
            if not entry.ttp_ids:
                raise ValueError(f"{service} has no TTP to look after generated episodes")
            services[service.pk] = entry
            by_area.setdefault(service.area_id, []).append(entry)
        gp_ids = _staff_ids(practice=practice, role=Role.GP)
        if not gp_ids:
            raise ValueError(f"{practice} has no GP to make generated referrals")
        practices.append(
            Practice(
                id=practice.pk,
                area_id=practice.area_id,
                weight=weight,
                home_service=services[service.pk],
                postcode_prefixes=("NE", "CA"),
                gp_ids=gp_ids,
            )
        )
    return Region(practices=practices, services=list(services.values()), services_by_area=by_area)


def _staff_ids(**filters):
    return list(User.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))
