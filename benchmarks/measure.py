"""One data size's measurements, run in its own process (Django is set up for one database).

scripts/bench.py starts `python -m benchmarks.measure --size small --out file.json`. This
process prepares the database pathway_bench_<size> (migrate; generate only when empty), starts
gunicorn with 2 workers and production-like settings plus SERVER_TIMING, signs in over HTTP,
times each page from the Server-Timing header of real responses, and measures the reference
points (the admin changelist and bare SQL of the waiting list) and the reminder sweep here,
in-process.
"""

import argparse
import datetime
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-pathway-2026")
BENCH_SECRET = "bench-only-not-a-secret-" + "0123456789abcdefghijklmnopqrstuvwxyz"
# How each bench size is generated, where it is not simply `--size <size>`: "recent" is one
# year at the large size's yearly volume (500,000 episodes over ten years), so that comparing
# it with large shows what ten years of history cost at the same workload.
GENERATE = {"recent": ["--size", "50000", "--years", "1"]}


def bench_env(size):
    """The environment of the measured service: production-like, its own database."""
    base = os.environ.get("BENCH_DATABASE_HOST", "postgres://postgres@127.0.0.1:5432")
    return {
        **os.environ,
        "DATABASE_URL": f"{base}/pathway_bench_{size}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain http on loopback, standing in for the TLS proxy in front of production.
        "SECURE_SSL_REDIRECT": "false",
        "BEHIND_TLS_PROXY": "true",
        "SERVER_TIMING": "1",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "console",
    }


def ensure_database(url):
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own fixed name
            print(f"created database {name}", flush=True)


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(samples):
    """{p50_ms, p95_ms, queries, ...} from [(app ms, db ms, queries)]."""
    app = [s[0] for s in samples]
    queries = sorted({s[2] for s in samples})
    return {
        "p50_ms": round(statistics.median(app), 1),
        "p95_ms": round(percentile(app, 0.95), 1),
        "db_p50_ms": round(statistics.median(s[1] for s in samples), 1),
        # Every request of a page should run the same number; the most is what counts.
        "queries": queries[-1],
        "queries_seen": queries,
        "n": len(samples),
    }


# --- The service under test ------------------------------------------------------------------


class Server:
    def __init__(self, env, workers=2):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "pathway.wsgi",
            f"--workers={self.workers}",
            f"--bind=127.0.0.1:{self.port}",
            "--timeout=300",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)  # noqa: S603
        from benchmarks.client import Client

        client = Client(self.url)
        for _ in range(120):
            try:
                # The web answers. Not /health: it also judges the worker and beat's heartbeat,
                # and the bench runs neither.
                if client.get("/sign-in/").status == 200:
                    return self
            except OSError:
                pass
            client.close()
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer /sign-in/ within a minute")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def bench_authenticator(user):
    """The user's confirmed authenticator app (TOTP), made for the bench database if missing,
    so the bench signs in with both steps as production staff do."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def _current_code(device):
    from django_otp.oath import totp

    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(url, user):
    from benchmarks.client import Client

    client = Client(url)
    form = client.get("/sign-in/")
    response = client.post(
        "/sign-in/",
        {
            "csrfmiddlewaretoken": form.csrf_token(),
            "username": user.username,
            "password": PASSWORD,
        },
    )
    if response.status != 302:
        raise RuntimeError(f"could not sign in as {user.username} (status {response.status})")
    if "/sign-in/code/" in (response.location or ""):
        page = client.follow(response)
        # A code is accepted once: wait for the next one if this step was used already.
        device = bench_authenticator(user)
        for _ in range(2):
            response = client.post(
                "/sign-in/code/",
                {"csrfmiddlewaretoken": page.csrf_token(), "code": _current_code(device)},
            )
            if response.status == 302:
                break
            time.sleep(31)
        else:
            raise RuntimeError(f"{user.username}: the authenticator code was refused")
    landed = client.follow(response)
    if landed.status != 200:
        raise RuntimeError(f"{user.username}: home page answered {landed.status}")
    return client


def time_page(client, path, *, warmup, count):
    """Warm the page (code paths, PostgreSQL's buffers), then time `count` requests."""
    samples = []
    for number in range(warmup + count):
        response = client.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        if number >= warmup:
            samples.append(response.server_timing())
    return summarise(samples)


# --- Data the submissions need ---------------------------------------------------------------


def users(names):
    from pathway.accounts.models import User

    return {role: User.objects.get(username=username) for role, username in names.items()}


def timeline_patient(ttp):
    """The person with the most episodes in the TTP's service: the longest timeline."""
    from django.db.models import Count

    from pathway.care.models import Episode

    row = (
        Episode.objects.filter(service=ttp.service)
        .values("patient__public_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row["patient__public_id"]


def fresh_nhs_numbers(count):
    """Valid 999-range numbers nobody in the database has yet."""
    from pathway.clinical import nhs_number
    from pathway.patients.models import Patient

    numbers = []
    while len(numbers) < count:
        candidate = f"9997{secrets.randbelow(10**5):05d}"
        candidate += str(nhs_number.check_digit(candidate) or 0)
        if (
            nhs_number.is_valid(candidate)
            and candidate not in numbers
            and not Patient.objects.filter(nhs_number=candidate).exists()
        ):
            numbers.append(candidate)
    return numbers


def open_links(gp, service, count):
    """[(token, date of birth)] for `count` new people referred now, baseline links open."""
    from pathway.demo.referrals import refer
    from pathway.patients.models import Patient
    from pathway.proms.links import create_link
    from pathway.proms.schedule import open_due_timepoints

    links = []
    for number in fresh_nhs_numbers(count):
        patient = Patient.objects.create(
            nhs_number=number,
            given_name="Bench",
            family_name="Questionnaire",
            date_of_birth=datetime.date(1970, 6, 15),
            sex="female",
            postcode="NE1 4LP",
            email="bench@example.com",
            consents_to_contact=True,
            registered_practice=gp.practice,
        )
        episode = refer(gp=gp, patient=patient, service=service).episode
        open_due_timepoints()
        timepoint = episode.prom_timepoints.get(timepoint="baseline")
        token, _ = create_link(timepoint=timepoint)
        links.append((token, patient.date_of_birth))
    return links


def time_referrals(client, gp, service, count, warmup):
    from tests.referral_data import referral_answers

    samples = []
    for number, nhs in enumerate(fresh_nhs_numbers(warmup + count)):
        form = client.get("/gp/refer/")
        data = referral_answers(
            nhs_number=nhs,
            given_name="Bench",
            family_name="Referral",
            date_of_birth_day="14",
            date_of_birth_month="3",
            date_of_birth_year="1971",
            sex="female",
            postcode="NE1 4LP",
            mobile="07700 900982",
            email="bench@example.com",
            preferred_channel="email",
            registered_practice=str(gp.practice_id),
            service=str(service.pk),
            action="submit",
            csrfmiddlewaretoken=form.csrf_token(),
        )
        response = client.post("/gp/refer/", data)
        if response.status != 302 or "/gp/referrals/" not in (response.location or ""):
            raise RuntimeError(f"the referral was not recorded (status {response.status})")
        if number >= warmup:
            samples.append(response.server_timing())
    return summarise(samples)


def time_questionnaires(url, links, warmup):
    """Each link walked over HTTP; the POST of the first questionnaire (pain) is timed."""
    from benchmarks.client import Client

    samples = []
    for number, (token, born) in enumerate(links):
        client = Client(url)
        # The link swaps its token for a session and shows the start page; Continue is a link.
        client.follow(client.get(f"/q/{token}/"))
        confirm = client.get("/q/confirm/")
        answered = client.post(
            "/q/confirm/",
            {
                "csrfmiddlewaretoken": confirm.csrf_token(),
                "date_of_birth_day": str(born.day),
                "date_of_birth_month": str(born.month),
                "date_of_birth_year": str(born.year),
            },
        )
        page = client.follow(answered)
        if "/q/questionnaire/pain_nrs/" not in page.text and page.status != 200:
            raise RuntimeError("the questionnaire page did not open")
        response = client.post(
            "/q/questionnaire/pain_nrs/",
            {"csrfmiddlewaretoken": page.csrf_token(), "pain_nrs": "6"},
        )
        if response.status != 302:
            raise RuntimeError(f"the questionnaire was not saved (status {response.status})")
        if number >= warmup:
            samples.append(response.server_timing())
        client.close()
    return summarise(samples)


# --- The run ----------------------------------------------------------------------------------


STAFF_PAGES = {
    # page -> (role, path); {patient} is filled in with the timeline's person.
    "triage_queue": ("ttp", "/ttp/triage/"),
    "ttp_caseload": ("ttp", "/ttp/"),
    "gp_referral_list": ("gp", "/gp/"),
    "patient_timeline": ("ttp", "/patients/{patient}/"),
    "waiting_list": ("manager", "/manager/waiting-list/"),
    "activity_dashboard": ("manager", "/manager/activity/"),
    "manager_dashboard": ("manager", "/manager/"),
    "outcomes_report": ("manager", "/manager/outcomes/"),
}


def prepare(size):
    """The bench database of `size` as production would run it: migrated, static files
    collected, the region generated once, and the outcome summaries that beat refreshes every
    15 minutes (and release stores) refreshed. Sets up Django in this process; returns the
    environment for the service processes."""
    env = bench_env(size)
    ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathway.settings")
    import django

    django.setup()
    from pathway.care.models import Episode

    if not Episode.objects.exists():
        print(f"pathway_bench_{size} is empty: generating the {size} region", flush=True)
        manage("generate_region", *GENERATE.get(size, ["--size", size]), env=env)
    print(f"  {size}: refreshing the outcome summaries", flush=True)
    manage("refresh_outcome_summaries", env=env)
    return env


def run(size, *, count, warmup, names, sweep_count, pages):
    env = prepare(size)
    from pathway.care.models import Episode

    staff = users(names)
    for user in staff.values():
        bench_authenticator(user)
    from pathway.organisations.models import ProviderService

    # The GP refers to a service of its own area (not necessarily the TTP's).
    service = ProviderService.objects.filter(area_id=staff["gp"].practice.area_id).first()
    results = {"episodes": Episode.objects.count()}
    patient = timeline_patient(staff["ttp"])
    links = open_links(staff["gp"], service, count + warmup)

    with Server(env) as server:
        clients = {role: sign_in(server.url, user) for role, user in staff.items()}
        for page, (role, path) in STAFF_PAGES.items():
            if pages and page not in pages:
                continue
            print(f"  {size}: {page}", flush=True)
            results[page] = time_page(
                clients[role], path.format(patient=patient), warmup=warmup, count=count
            )
        if not pages or "submit_gp_referral" in pages:
            print(f"  {size}: submit_gp_referral", flush=True)
            results["submit_gp_referral"] = time_referrals(
                clients["gp"], staff["gp"], service, count, warmup
            )
        if not pages or "submit_questionnaire" in pages:
            print(f"  {size}: submit_questionnaire", flush=True)
            results["submit_questionnaire"] = time_questionnaires(server.url, links, warmup)
        if not pages or {"api_referral", "api_patient_records", "api_patient_scores"} & pages:
            from benchmarks.api import measure_api

            print(f"  {size}: api_referral, api_patient_records, api_patient_scores", flush=True)
            results |= measure_api(
                server.url,
                gp=staff["gp"],
                ttp=staff["ttp"],
                service=service,
                patient=patient,
                count=count,
                warmup=warmup,
                summarise=summarise,
                fresh_nhs_numbers=fresh_nhs_numbers,
            )

    from benchmarks import reference

    if not pages or "waiting_list" in pages:
        print(f"  {size}: waiting list through the admin and as bare SQL", flush=True)
        results["waiting_list_sql"] = reference.bare_sql(
            staff["manager"], count=count, warmup=warmup
        )
        results["waiting_list_admin"] = reference.admin_changelist(
            staff["manager"], count=count, warmup=warmup
        )
    if sweep_count:
        print(f"  {size}: reminder sweep of {sweep_count:,} invitations", flush=True)
        results["reminder_sweep"] = reference.reminder_sweep(sweep_count)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sweep", type=int, default=0, help="invitations for the sweep, 0: skip")
    parser.add_argument("--page", action="append", default=[], help="only these pages")
    parser.add_argument("--gp", default="region.gp")
    parser.add_argument("--ttp", default="region.ttp")
    parser.add_argument("--manager", default="region.manager")
    args = parser.parse_args()
    names = {"gp": args.gp, "ttp": args.ttp, "manager": args.manager}
    results = run(
        args.size,
        count=args.requests,
        warmup=args.warmup,
        names=names,
        sweep_count=args.sweep,
        pages=set(args.page),
    )
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
