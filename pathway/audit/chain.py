"""The audit trail as hash chains: each event carries a hash over what it says and over the
hash of the event before it in its chain, so an edited, deleted or inserted row breaks a link
that `manage.py verify_audit` finds.

Writers that run at once would fork a single chain or queue behind one lock, so events are
spread over CHAINS chains. On PostgreSQL a BEFORE INSERT trigger (migration 0004) places every
row, whoever inserts it and however (one row, a bulk insert, raw SQL): it holds one chain's
advisory lock until the transaction ends, reads that chain's head and sets chain, position,
previous_hash and hash. A unique (chain, position) is the backstop: two writers that somehow
read the same head fail instead of forking. SQLite (local development) has one chain, placed
here in Python inside the insert's transaction; SQLite lets one writer in at a time.

`event_hash` is the one definition of the hash. The trigger computes the same bytes in SQL;
the tests on PostgreSQL check that the two agree. Changing either breaks verification of every
event already written: add a new version instead.
"""

import contextlib
import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import connections, transaction

CHAINS = 16  # the trigger's `chains` (migration 0004) must say the same
GENESIS = "0" * 64  # the "previous hash" of the first event of every chain
VERSION = "v1"
# How far back a broken link looks for the hash it names, to tell "rows were inserted here"
# (the hash is a few rows back) from "a row is missing" (it is nowhere).
LOOK_BACK = 1000


def _field(value):
    """Length-prefixed, so no value can pass for two; None (NULL) is "-"."""
    if value is None:
        return "-"
    text = str(value)
    return f"{len(text)}:{text}"


def _utc(at):
    # Microseconds, as PostgreSQL stores them; to_char(... 'US') in the trigger.
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_hash(previous_hash, event):
    """SHA-256, as hex, of the previous hash and what `event` says: when, who (user, role,
    organisation), whom, what and from where. Its id, chain and position are not hashed: the
    links between hashes fix the order, whatever the rows are numbered."""
    content = ",".join(
        _field(value)
        for value in (
            _utc(event.at),
            event.user_id,
            event.role,
            event.organisation,
            event.patient_id,
            event.action,
            event.object_type,
            event.object_id,
            event.ip_address,
        )
    )
    return hashlib.sha256(f"{VERSION}|{previous_hash}|{content}".encode()).hexdigest()


@contextlib.contextmanager
def placing(events, *, using):
    """Around the insert of `events`: on a database without the trigger (SQLite), chain them
    in the insert's own transaction. No savepoint, so no queries are added inside a request's
    transaction; PostgreSQL's trigger needs nothing from here."""
    if connections[using].vendor == "postgresql":
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        _place_in_python(events, using=using)
        yield


def _place_in_python(events, *, using):
    from pathway.audit.models import AuditEvent

    head = (
        AuditEvent.objects.using(using)
        .filter(chain=0)
        .order_by("-position")
        .values_list("position", "hash")
        .first()
    )
    position, previous = head or (0, GENESIS)
    address = AuditEvent._meta.get_field("ip_address")
    for event in events:
        # Hashed as it will be stored and read back: "" as NULL, IPv6 in its short form.
        event.ip_address = address.get_prep_value(event.ip_address) or None
        position += 1
        event.chain, event.position, event.previous_hash = 0, position, previous
        event.hash = previous = event_hash(previous, event)


# --- Verification ------------------------------------------------------------------------


@dataclass
class BrokenLink:
    chain: int
    event_id: int
    position: int
    reason: str

    def __str__(self):
        return (
            f"chain {self.chain}, position {self.position}, event #{self.event_id}: {self.reason}"
        )


@dataclass(order=True)
class ChainHead:
    chain: int
    position: int
    hash: str

    def __str__(self):
        return f"{self.chain}:{self.position}:{self.hash}"


@dataclass
class Verification:
    events: int = 0
    heads: list = field(default_factory=list)
    broken: list = field(default_factory=list)  # the first BrokenLink of each broken chain

    @property
    def intact(self):
        return not self.broken


VERIFIED_FIELDS = (
    "id",
    "chain",
    "position",
    "previous_hash",
    "hash",
    "at",
    "user_id",
    "role",
    "organisation",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "ip_address",
)


class _ChainWalk:
    """One chain, row by row in position order, until its first broken link."""

    def __init__(self, chain):
        self.chain = chain
        self.position = 0
        self.hash = GENESIS
        self.event_id = None
        self.broken = None
        self.recent = {}  # hash -> (event id, position) of the last LOOK_BACK rows

    def _break(self, row, reason):
        self.broken = BrokenLink(self.chain, row.id, row.position, reason)

    def follow(self, row):
        if self.broken:
            return
        if not 0 <= self.chain < CHAINS:
            return self._break(row, f"the database never writes to chain {self.chain}")
        if row.hash != event_hash(row.previous_hash, row):
            return self._break(
                row,
                "its content does not match its hash: the row was changed after it was "
                "written, or written around the chain",
            )
        if row.previous_hash != self.hash:
            return self._break(row, self._why_unlinked(row))
        if row.position != self.position + 1:
            return self._break(row, f"position {self.position + 1} expected; rows were renumbered")
        self.position, self.hash, self.event_id = row.position, row.hash, row.id
        self.recent[row.hash] = (row.id, row.position)
        if len(self.recent) > LOOK_BACK:
            del self.recent[next(iter(self.recent))]

    def _why_unlinked(self, row):
        if row.previous_hash == GENESIS:
            return "it claims to start the chain, but the chain has events before it"
        if row.previous_hash in self.recent:
            event_id, position = self.recent[row.previous_hash]
            return (
                f"it claims to follow event #{event_id} (position {position}), not event "
                f"#{self.event_id} (position {self.position}): either it or the events at "
                f"positions {position + 1} to {self.position} were inserted"
            )
        if self.event_id is None:
            return "the events before it in its chain are missing (deleted)"
        if row.position > self.position + 1:
            return (
                f"positions {self.position + 1} to {row.position - 1} are missing: "
                f"events after #{self.event_id} were deleted"
            )
        return (
            f"it does not follow event #{self.event_id} (position {self.position}): that event "
            "was changed and re-hashed, or an event between them was deleted"
        )

    def head(self):
        return ChainHead(self.chain, self.position, self.hash)


class _Row:
    __slots__ = VERIFIED_FIELDS

    def __init__(self, values):
        for name, value in zip(VERIFIED_FIELDS, values, strict=True):
            setattr(self, name, value)


def verify(*, using="default", chunk_size=5000):
    """Walk every chain in order. Reads the table once, in the (chain, position) index order."""
    from pathway.audit.models import AuditEvent

    result = Verification()
    walk = None
    rows = (
        AuditEvent.objects.using(using)
        .order_by("chain", "position")
        .values_list(*VERIFIED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for values in rows:
        row = _Row(values)
        if walk is None or row.chain != walk.chain:
            _finish(result, walk)
            walk = _ChainWalk(row.chain)
        walk.follow(row)
        result.events += 1
    _finish(result, walk)
    return result


def _finish(result, walk):
    if walk is None:
        return
    result.heads.append(walk.head())
    if walk.broken:
        result.broken.append(walk.broken)


def current_heads(*, using="default"):
    """The newest event of each chain, as stored (not verified): two queries."""
    from django.db.models import Max, Q

    from pathway.audit.models import AuditEvent

    events = AuditEvent.objects.using(using)
    last = dict(events.values_list("chain").annotate(last=Max("position")).order_by())
    if not last:
        return []
    heads = events.filter(
        Q.create([Q(chain=number, position=position) for number, position in last.items()], "OR")
    ).values_list("chain", "position", "hash")
    return sorted(ChainHead(*head) for head in heads)


def check_anchor(anchor, *, using="default"):
    """None when the chain still holds `anchor` ("chain:position:hash", as verify_audit and
    the daily log print it), else why not. An anchor kept outside the database catches what
    the chain alone cannot: its tail cut off, or rewritten consistently from some row on."""
    from pathway.audit.models import AuditEvent

    try:
        chain, position, expected = anchor.split(":")
        chain, position = int(chain), int(position)
    except ValueError:
        return f"{anchor!r} is not chain:position:hash"
    found = (
        AuditEvent.objects.using(using)
        .filter(chain=chain, position=position)
        .values_list("hash", flat=True)
        .first()
    )
    if found is None:
        return f"chain {chain} has no event at position {position}: the trail was cut short"
    if found != expected:
        return f"chain {chain} position {position} now has another hash: the trail was rewritten"
    return None
