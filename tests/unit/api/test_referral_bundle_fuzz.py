"""Whatever is posted, reading it as a referral either succeeds or refuses it with problems
that make a valid OperationOutcome: no other exception ever escapes (a 500 at the endpoint).
The example Bundle is changed at random (entries dropped, duplicated, reordered; any element
replaced by any JSON value or removed), and then, element by element, by a few awkward
values. No database."""

import datetime
import random

from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathway.api.referrals.bundle import ReferralBundle, read_referral_bundle
from pathway.api.referrals.problems import BundleRefused
from tests.fhir_referrals import example_bundle

TODAY = datetime.date(2025, 1, 15)
AWKWARD = (None, -1, True, "", "x" * 300, [], {})

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["Bundle", "Patient", "#requester", "urn:uuid:x", "1971-03-14"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["resourceType", "linkId", "answer", "valueBoolean", "item", "x"])
            | st.text(max_size=8),
            children,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def _paths(node, path=()):
    """The path (keys and indices) of every element of a JSON value, the root first."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _replaced(bundle, path, value):
    if not path:
        return value
    node = bundle
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return bundle


def _removed(bundle, path):
    if not path:
        return bundle
    node = bundle
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return bundle


@st.composite
def mutated_bundles(draw):
    bundle = example_bundle()
    for _ in range(draw(st.integers(1, 4))):
        entries = bundle.get("entry") if isinstance(bundle, dict) else None
        change = draw(st.sampled_from(["replace", "remove", "drop", "duplicate", "shuffle"]))
        if change in {"drop", "duplicate", "shuffle"} and isinstance(entries, list) and entries:
            index = draw(st.integers(0, len(entries) - 1))
            if change == "drop":
                entries.pop(index)
            elif change == "duplicate":
                entries.append(entries[index])
            else:
                random.Random(draw(st.integers())).shuffle(entries)
            continue
        path = draw(st.sampled_from(list(_paths(bundle))))
        if change == "remove":
            bundle = _removed(bundle, path)
        else:
            bundle = _replaced(bundle, path, draw(json_values))
    return bundle


def _read_or_refuse(bundle):
    """The ReferralBundle, or the refusal's OperationOutcome checked as a client reads it."""
    try:
        return read_referral_bundle(bundle, today=TODAY)
    except BundleRefused as refused:
        assert refused.problems
        assert all(problem.expression for problem in refused.problems)
        outcome = refused.outcome().model_dump_json()
        return OperationOutcome.model_validate_json(outcome)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_bundles())
def test_a_bundle_changed_at_random_is_read_or_refused_with_an_outcome(bundle):
    result = _read_or_refuse(bundle)

    assert isinstance(result, ReferralBundle | OperationOutcome)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_at_all_is_refused_with_an_outcome(value):
    assert isinstance(_read_or_refuse(value), OperationOutcome)


def test_every_element_of_the_example_replaced_by_an_awkward_value_is_read_or_refused():
    for path in list(_paths(example_bundle())):
        for value in AWKWARD:
            result = _read_or_refuse(_replaced(example_bundle(), path, value))
            assert isinstance(result, ReferralBundle | OperationOutcome), (path, value)


def test_every_element_of_the_example_removed_is_read_or_refused():
    for path in list(_paths(example_bundle()))[1:]:
        result = _read_or_refuse(_removed(example_bundle(), path))
        assert isinstance(result, ReferralBundle | OperationOutcome), path
