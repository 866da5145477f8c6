"""Retention: the keep-until date of a record of care, and the dry-run review of what has
passed it (issue 8, part 9)."""

import datetime
import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ForeignKey
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from pathway.care import actions
from pathway.care.models import Episode, EpisodeState
from pathway.clinical import InvalidAnswers
from pathway.clinical.retention import retain_until, retention_has_passed
from pathway.demo.referrals import refer
from pathway.referrals.models import Referral, ReferralOutcome
from pathway.reports.retention import _episode_tables, retention_review
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory
from tests.slots import past_slot

PAST = timezone.now() - datetime.timedelta(hours=2)
RETURNING = {"return_kind": "new_symptoms", "return_justification": "New leg pain"}


# --- The rule ----------------------------------------------------------------------------------


def test_retain_until_is_the_same_day_eight_years_on():
    assert retain_until(datetime.date(2026, 3, 10), years=8) == datetime.date(2034, 3, 10)


def test_retain_until_29_february_into_a_leap_year_stays_29_february():
    assert retain_until(datetime.date(2024, 2, 29), years=8) == datetime.date(2032, 2, 29)


def test_retain_until_29_february_into_a_common_year_keeps_to_1_march():
    assert retain_until(datetime.date(2024, 2, 29), years=7) == datetime.date(2031, 3, 1)


@pytest.mark.parametrize("years", [0, -1, True, 2.5])
def test_retain_until_refuses_a_nonsense_number_of_years(years):
    with pytest.raises(InvalidAnswers):
        retain_until(datetime.date(2026, 1, 1), years=years)


def test_retain_until_refuses_a_datetime():
    with pytest.raises(InvalidAnswers):
        retain_until(datetime.datetime(2026, 1, 1, 12), years=8)


@given(
    end=st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2090, 12, 31)),
    years=st.integers(min_value=1, max_value=10),
)
def test_retain_until_never_keeps_a_record_for_less_than_the_whole_years(end, years):
    kept_until = retain_until(end, years=years)

    assert kept_until.year == end.year + years
    assert (kept_until - end).days >= 365 * years + (years // 4) - 1
    assert not retention_has_passed(kept_until, today=kept_until)
    assert retention_has_passed(kept_until, today=kept_until + datetime.timedelta(days=1))


# --- Set at the end of care, cleared on re-opening --------------------------------------------


def _assess(episode, ttp):
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=True,
    )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    return appointment


def _treat(episode, ttp):
    _assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=4,
        by=ttp,
    )


def _discharged(episode, ttp):
    _treat(episode, ttp)
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )
    episode.refresh_from_db()
    return episode


def _expected(episode, years=8):
    return retain_until(timezone.localdate(episode.discharged_at), years=years)


@pytest.mark.django_db
def test_an_open_episode_has_no_retain_until_date(episode, ttp):
    _treat(episode, ttp)
    episode.refresh_from_db()

    assert episode.state == EpisodeState.IN_TREATMENT
    assert episode.retain_until is None


@pytest.mark.django_db
def test_discharge_sets_retain_until_eight_years_after_the_end_of_care(episode, ttp):
    episode = _discharged(episode, ttp)

    assert episode.retain_until == _expected(episode)
    assert episode.retain_until.year == timezone.localdate(episode.discharged_at).year + 8


@pytest.mark.django_db
def test_retention_years_come_from_the_setting(episode, ttp, settings):
    settings.RETENTION_YEARS = 3

    episode = _discharged(episode, ttp)

    assert episode.retain_until == _expected(episode, years=3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("triage", "extra"),
    [
        ("same_day_discharge", {}),
        (
            "onward_referral",
            {
                "onward_destination": "mri",
                "onward_reason": "Persisting radicular pain",
                "onward_sent_on": datetime.date.today(),
            },
        ),
    ],
)
def test_discharge_at_the_first_assessment_sets_retain_until(episode, ttp, triage, extra):
    _assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome=triage,
        symptom_duration="3_to_6",
        by=ttp,
        **extra,
    )
    episode.refresh_from_db()

    assert episode.state == EpisodeState.DISCHARGED
    assert episode.retain_until == _expected(episode)


@pytest.mark.django_db
def test_a_patient_declining_care_sets_retain_until(episode, ttp):
    actions.move_episode(
        context=TEST_CONTEXT,
        episode=episode,
        transition="decline_care",
        by=ttp,
        reason="Feels better",
        discharge_reason="patient_choice",
    )
    episode.refresh_from_db()

    assert episode.retain_until == _expected(episode)


@pytest.mark.django_db
def test_confirming_a_discharge_proposed_after_missed_appointments_sets_retain_until(episode, ttp):
    for _ in range(2):
        appointment = actions.book_appointment(
            context=TEST_CONTEXT,
            episode=episode,
            kind="first_assessment",
            starts_at=past_slot(),
            clinician=ttp,
            mode="telephone",
            by=ttp,
            recording_past=True,
        )
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=appointment, outcome="did_not_attend", by=ttp
        )
    episode.refresh_from_db()
    assert (episode.state, episode.retain_until) == (EpisodeState.DISCHARGE_PROPOSED, None)

    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="did_not_attend", by=ttp
    )
    episode.refresh_from_db()

    assert episode.retain_until == _expected(episode)


@pytest.mark.django_db
def test_reopening_clears_retain_until_and_the_next_discharge_sets_it_again(episode, ttp):
    episode = _discharged(episode, ttp)

    actions.reopen_episode(
        context=TEST_CONTEXT, episode=episode, reason="Pain came back within a week", by=ttp
    )
    episode.refresh_from_db()
    assert (episode.state, episode.retain_until) == (EpisodeState.IN_TREATMENT, None)

    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )
    episode.refresh_from_db()
    assert episode.retain_until == _expected(episode)


@pytest.mark.django_db
def test_data_migration_backfills_closed_episodes_only(make_episode, ttp):
    closed = _discharged(make_episode(), ttp)
    open_episode = make_episode()
    discharged_on = datetime.datetime(2020, 2, 29, 12, tzinfo=datetime.UTC)
    Episode.objects.filter(pk=closed.pk).update(retain_until=None, discharged_at=discharged_on)
    migration = importlib.import_module("pathway.care.migrations.0005_episode_retain_until")

    migration.backfill_closed_episodes(apps, None)

    closed.refresh_from_db()
    open_episode.refresh_from_db()
    assert closed.retain_until == datetime.date(2028, 2, 29)
    assert open_episode.retain_until is None


@pytest.mark.django_db
def test_episode_page_shows_keep_records_until_for_a_closed_episode(client, episode, ttp):
    client.force_login(ttp)
    page = reverse("care:episode", args=[episode.public_id])
    assert "Keep records until" not in client.get(page).content.decode()

    episode = _discharged(episode, ttp)

    shown = f"Keep records until {episode.retain_until:%-d %B %Y}"
    assert shown in client.get(page).content.decode()


# --- The dry-run review ------------------------------------------------------------------------


def _expire(episode, retain_until=datetime.date(2030, 1, 1)):
    Episode.objects.filter(pk=episode.pk).update(retain_until=retain_until)
    episode.refresh_from_db()
    return episode


def _review_output(today="2030-01-02"):
    out = StringIO()
    call_command("retention_review", f"--today={today}", stdout=out)
    return out.getvalue()


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_review_lists_an_episode_past_its_date_with_the_rows_it_would_remove(episode, ttp):
    episode = _expire(_discharged(episode, ttp))

    review = retention_review(today=datetime.date(2030, 1, 2))

    [patient] = review.patients
    assert patient.patient_id == episode.patient_id
    [due] = patient.episodes
    assert due.episode_id == episode.pk
    assert due.rows["episodes"] == 1
    assert due.rows["referrals"] == 1
    assert due.rows["appointments"] == episode.appointments.count() == 1
    assert due.rows["triage decisions"] == 1
    assert due.rows["state changes"] == episode.transitions.count()
    assert due.rows["questionnaire time points"] == episode.prom_timepoints.count() > 0
    assert due.rows["messages"] == episode.messages.count() > 0
    assert patient.nothing_left
    assert patient.patient_rows["patients"] == 1


@pytest.mark.django_db
def test_review_keeps_records_through_their_keep_until_day(episode, ttp):
    _expire(_discharged(episode, ttp), retain_until=datetime.date(2030, 1, 1))

    assert retention_review(today=datetime.date(2030, 1, 1)).patients == []
    assert len(retention_review(today=datetime.date(2030, 1, 2)).patients) == 1


@pytest.mark.django_db
def test_review_ignores_open_episodes_and_says_what_the_person_keeps(make_episode, ttp, gp):
    patient = PatientFactory(registered_practice=gp.practice)
    old = _expire(_discharged(make_episode(patient=patient), ttp))
    # Open now (a returner): no keep-until date at all.
    make_episode(patient=patient, answers=RETURNING)

    [reviewed] = retention_review(today=datetime.date(2030, 1, 2)).patients

    assert [due.episode_id for due in reviewed.episodes] == [old.pk]
    assert reviewed.kept_episodes == 1
    assert not reviewed.nothing_left
    assert reviewed.patient_rows == {}


@pytest.mark.django_db
def test_review_includes_referrals_that_never_opened_an_episode(gp, service):
    patient = PatientFactory(registered_practice=gp.practice)
    referral = refer(
        gp=gp,
        patient=patient,
        service=service,
        risk="low",
        answers={"decision": "discharge_with_advice"},
    )
    assert referral.outcome == ReferralOutcome.GP_DISCHARGED
    consulted = timezone.make_aware(datetime.datetime(2021, 6, 1, 10))
    Referral.objects.filter(pk=referral.pk).update(created_at=consulted)

    assert retention_review(today=datetime.date(2029, 6, 1)).patients == []
    [reviewed] = retention_review(today=datetime.date(2029, 6, 2)).patients
    assert [due.referral_id for due in reviewed.referrals] == [referral.pk]
    assert reviewed.referrals[0].retain_until == datetime.date(2029, 6, 1)
    assert reviewed.nothing_left


@pytest.mark.django_db
def test_review_flags_a_kept_later_episode_that_returns_after_a_due_one(make_episode, ttp, gp):
    patient = PatientFactory(registered_practice=gp.practice)
    first = _expire(_discharged(make_episode(patient=patient), ttp))
    later = make_episode(patient=patient, answers=RETURNING)
    assert later.previous_episode_id == first.pk

    [reviewed] = retention_review(today=datetime.date(2030, 1, 2)).patients

    assert reviewed.episodes[0].kept_returns == 1
    assert "linked from 1 later episode(s) still kept" in _review_output()


@pytest.mark.django_db
def test_review_command_is_a_dry_run_that_changes_nothing(episode, ttp):
    _expire(_discharged(episode, ttp))
    before = _row_counts()

    output = _review_output()

    assert output.startswith("DRY RUN: nothing has been changed or destroyed.")
    assert f"Patient id {episode.patient_id} (nothing of theirs would be left)" in output
    assert f"Episode id {episode.pk}, keep until 2030-01-01" in output
    assert f"Patients who would have no records left: {episode.patient_id}" in output
    assert "Audit events kept:" in output
    assert _row_counts() == before


@pytest.mark.django_db
def test_review_command_prints_nothing_that_identifies_the_person(episode, ttp):
    _expire(_discharged(episode, ttp))
    patient = episode.patient

    output = _review_output()

    assert f"Patient id {patient.pk}" in output
    for identifying in (
        patient.nhs_number,
        patient.given_name,
        patient.family_name,
        patient.postcode,
        patient.email,
        str(patient.public_id),
        str(episode.public_id),
        patient.date_of_birth.isoformat(),
    ):
        assert identifying not in output


@pytest.mark.django_db
def test_review_command_with_nothing_due_says_so():
    output = _review_output()

    assert "Nothing is past its keep-until date." in output
    assert "Patients who would have no records left: none" in output


def test_review_command_help_says_it_is_a_dry_run():
    from pathway.reports.management.commands.retention_review import Command

    assert Command.help.startswith("Dry run only")


@pytest.mark.django_db
def test_review_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention_review", "--today=01/02/2030", stdout=StringIO())


@pytest.mark.django_db
def test_review_runs_a_fixed_number_of_queries_however_many_are_due(make_episode, ttp):
    _expire(_discharged(make_episode(), ttp))
    with CaptureQueriesContext(connection) as one:
        retention_review(today=datetime.date(2030, 1, 2))
    for _ in range(3):
        _expire(_discharged(make_episode(), ttp))

    with CaptureQueriesContext(connection) as four:
        review = retention_review(today=datetime.date(2030, 1, 2))

    assert len(review.patients) == 4
    assert len(four) == len(one)


def _constrained_references(targets):
    """Models with a database-enforced foreign key to any of `targets`."""
    return {
        model
        for model in apps.get_models()
        if not model._meta.proxy  # no table of its own: its rows are its concrete model's
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.db_constraint and field.related_model in targets
    }


def test_review_counts_every_table_that_belongs_to_an_episode():
    listed = {model for _, model, _ in _episode_tables()}
    # Links between episodes (a returner's earlier episode) are reported as links to clear.
    linked = {Episode, Referral}

    assert _constrained_references({Episode} | listed) - listed - linked == set()


def test_review_counts_every_table_that_belongs_to_a_patient():
    from pathway.messaging.models import OutboundMessage
    from pathway.patients.models import Patient

    # The audit trail names patients without a database constraint, so it outlives them.
    assert _constrained_references({Patient}) == {Episode, Referral, OutboundMessage}
