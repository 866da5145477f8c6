"""Load test: staff browsing their pages and patients answering a questionnaire.

Run by `make load` (benchmarks/load.py), which starts gunicorn with 2 workers on a bench
database, prepares sign-ins and patient links, and runs locust headless:
    locust -f benchmarks/locustfile.py --headless -u 20 -r 5 -t 3m --host http://127.0.0.1:PORT

The service sets Secure (`__Host-`) cookies and is told it is behind TLS (X-Forwarded-Proto),
so each user keeps its cookies itself and sends them on every request.
Sign-ins and links come from the file named by BENCH_LOAD_FIXTURE (written by load.py):
{"staff": {"gp": "<session cookie header>", ...}, "links": [[token, "YYYY-MM-DD"], ...]}.
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

FIXTURE = json.loads(open(os.environ["BENCH_LOAD_FIXTURE"]).read())  # noqa: SIM115, PTH123
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAFF_PAGES = {
    "gp": ["/gp/"],
    "ttp": ["/ttp/", "/ttp/triage/", "/patients/{patient}/"],
    "manager": ["/manager/", "/manager/waiting-list/", "/manager/activity/"],
}


class _CookieUser(HttpUser):
    abstract = True

    def on_start(self):
        self.cookies = {}

    def _headers(self, path, post=False):
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if post:
            origin = self.host.replace("http://", "https://")
            headers.update({"Origin": origin, "Referer": origin + path})
        return headers

    def _keep(self, response):
        for name, value in response.raw.headers.items():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                if cookie:
                    self.cookies[key.strip()] = cookie

    def get(self, path, name=None):
        response = self.client.get(
            path, headers=self._headers(path), allow_redirects=False, name=name or path
        )
        self._keep(response)
        return response

    def post(self, path, data, name=None):
        response = self.client.post(
            path,
            data=data,
            headers=self._headers(path, post=True),
            allow_redirects=False,
            name=name or path,
        )
        self._keep(response)
        return response


class Staff(_CookieUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.role = random.choice(list(STAFF_PAGES))  # noqa: S311 - not security
        self.cookies = dict(FIXTURE["staff"][self.role])

    @task
    def browse(self):
        path = random.choice(STAFF_PAGES[self.role])  # noqa: S311
        with self.client.get(
            path.format(patient=FIXTURE["patient"]),
            headers=self._headers(path),
            allow_redirects=False,
            name=path,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class Patient(_CookieUser):
    weight = 1
    wait_time = between(2, 5)

    @task
    def answer_a_questionnaire(self):
        if not FIXTURE["links"]:
            return
        token, born = FIXTURE["links"].pop()
        year, month, day = born.split("-")
        self.cookies = {}
        self.get(f"/q/{token}/", name="/q/[token]/")
        self.post(f"/q/{token}/", {}, name="/q/[token]/ continue")
        page = self.get("/q/confirm/")
        token_match = CSRF.search(page.text)
        if not token_match:
            return
        dob = {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
        self.post("/q/confirm/", {"csrfmiddlewaretoken": token_match.group(1), **dob})
        page = self.get("/q/questionnaire/pain_nrs/")
        token_match = CSRF.search(page.text)
        if token_match:
            with self.client.post(
                "/q/questionnaire/pain_nrs/",
                data={"csrfmiddlewaretoken": token_match.group(1), "pain_nrs": "6"},
                headers=self._headers("/q/questionnaire/pain_nrs/", post=True),
                allow_redirects=False,
                name="/q/questionnaire/pain_nrs/ submit",
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"status {response.status_code}")
