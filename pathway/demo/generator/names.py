"""Synthetic names, places, postcodes and identifiers. Nobody here is a real person.

invented: short lists of common English given and family names and North of England-sounding
place names, combined at random.
"""

import uuid

FEMALE = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Sophia",
    "Grace",
    "Freya",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Ruby",
    "Alice",
    "Chloe",
    "Jessica",
    "Sarah",
    "Helen",
    "Karen",
    "Susan",
    "Julie",
    "Claire",
    "Joanne",
    "Lisa",
    "Nicola",
    "Emma",
    "Rachel",
    "Angela",
    "Margaret",
    "Patricia",
    "Linda",
    "Barbara",
    "Elaine",
    "Denise",
    "Priya",
    "Aisha",
    "Fatima",
    "Zainab",
]
MALE = [
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Harry",
    "Leo",
    "Jack",
    "Charlie",
    "Oscar",
    "Jacob",
    "Thomas",
    "William",
    "James",
    "David",
    "John",
    "Michael",
    "Paul",
    "Mark",
    "Andrew",
    "Stephen",
    "Peter",
    "Richard",
    "Robert",
    "Christopher",
    "Daniel",
    "Matthew",
    "Gary",
    "Ian",
    "Kevin",
    "Alan",
    "Brian",
    "Colin",
    "Keith",
    "Mohammed",
    "Ali",
    "Omar",
    "Raj",
    "Arjun",
    "Tomasz",
    "Piotr",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Armstrong",
    "Bell",
    "Charlton",
    "Dodds",
    "Elliott",
    "Forster",
    "Graham",
    "Heron",
    "Hodgson",
    "Milburn",
    "Nixon",
    "Robson",
    "Scott",
    "Shearer",
    "Tait",
    "Watson",
    "Young",
    "Nowak",
    "Ahmed",
]
PLACES = [
    "Alnwick",
    "Ashington",
    "Bedlington",
    "Blyth",
    "Consett",
    "Cramlington",
    "Darlington",
    "Durham",
    "Gateshead",
    "Hartlepool",
    "Hexham",
    "Jarrow",
    "Keswick",
    "Kendal",
    "Middlesbrough",
    "Morpeth",
    "Penrith",
    "Redcar",
    "Seaham",
    "Stockton",
    "Sunderland",
    "Tynemouth",
    "Washington",
    "Whitby",
    "Whitehaven",
    "Workington",
    "Yarm",
    "Northallerton",
    "Richmond",
    "Thirsk",
    "Guisborough",
    "Peterlee",
    "Chester-le-Street",
    "Prudhoe",
    "Wallsend",
]
STREETS = [
    "Station Road",
    "High Street",
    "Church Lane",
    "Victoria Road",
    "Park View",
    "Front Street",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code may use


def person_name(rng, female):
    return rng.choice(FEMALE if female else MALE), rng.choice(FAMILY)


def place_name(rng):
    return rng.choice(PLACES)


def clinic_name(rng, place):
    return f"{place} Community Clinic, {rng.choice(STREETS)}"


def postcode(rng, prefixes):
    """A postcode of the form AA9 9AA or AA99 9AA (format only: it need not exist)."""
    letters = INWARD_LETTERS
    return (
        f"{rng.choice(prefixes)}{rng.randint(1, 39)} {rng.randint(0, 9)}"
        f"{letters[rng.randrange(20)]}{letters[rng.randrange(20)]}"
    )


def mobile(number):
    # Ofcom reserves 07700 900000-900999 for drama: never a real phone.
    return f"07700900{number % 1000:03d}"


def nhs_numbers_from(first_prefix):
    """Valid NHS numbers in the 999 test range, in order, from a nine-digit prefix on.

    The modulus 11 check digit is computed; prefixes whose check digit would be 10 are skipped
    (no valid number exists for them).
    """
    prefix = first_prefix
    while prefix <= 999_999_999:
        digits = str(prefix)
        total = sum(
            int(digit) * weight for digit, weight in zip(digits, range(10, 1, -1), strict=True)
        )
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            yield f"{digits}{check}"
        prefix += 1
    raise RuntimeError("the NHS number test range is exhausted")


def uuid4(rng):
    """A version 4 UUID from the seeded generator, so that runs repeat exactly."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)
