"""`make load`: 20 users (staff and patients) for 3 minutes against gunicorn with 2 workers.

    .venv/bin/python -m benchmarks.load --size small [--users 20 --time 3m]

Prepares the bench database like `make bench` (benchmarks/measure.py), signs the three bench
staff in over HTTP (both steps), makes patient links, then runs locust headless and prints
its summary; the CSV files are left in benchmarks/load_* (git-ignored).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from benchmarks import measure


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="small")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=int, default=5)
    parser.add_argument("--time", default="3m")
    parser.add_argument("--links", type=int, default=200)
    args = parser.parse_args()

    env = measure.prepare(args.size)
    from pathway.organisations.models import ProviderService

    names = {"gp": "region.gp", "ttp": "region.ttp", "manager": "region.manager"}
    staff = measure.users(names)
    for user in staff.values():
        measure.bench_authenticator(user)
    service = ProviderService.objects.filter(area_id=staff["gp"].practice.area_id).first()
    links = measure.open_links(staff["gp"], service, args.links)
    patient = measure.timeline_patient(staff["ttp"])

    with measure.Server(env) as server:
        signed_in = {role: measure.sign_in(server.url, user) for role, user in staff.items()}
        fixture = {
            "staff": {role: client.cookies for role, client in signed_in.items()},
            "links": [[token, born.isoformat()] for token, born in links],
            "patient": str(patient),
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
            json.dump(fixture, out)
        command = [
            str(measure.ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(measure.ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            f"-u={args.users}",
            f"-r={args.spawn_rate}",
            f"-t={args.time}",
            f"--host={server.url}",
            f"--csv={measure.ROOT / 'benchmarks' / 'load'}",
            "--only-summary",
        ]
        result = subprocess.run(  # noqa: S603
            command, env={**os.environ, "BENCH_LOAD_FIXTURE": out.name}, check=False
        )
        os.unlink(out.name)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
