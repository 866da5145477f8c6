"""The FHIR API in the benchmark: a GP system posting referrals, and a patient's records read
back as a care record would ($everything-style: the episodes with the patient included), and
their scores (every Observation: the outcome questionnaires' and the referrals' STarT Back,
one list from two tables).

The client is registered as an administrator would (manage.py create_api_client's action),
signs its assertions with its own key and gets tokens over HTTP from /oauth2/token, whose
address it reads from /fhir/R4/metadata, as docs/api.md tells an integrator.
"""

import json
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# The referral example docs/api.md shows; its practice, service and person are replaced.
EXAMPLE = ROOT / "tests" / "data" / "fhir" / "referral-bundle.json"
EXAMPLE_PRACTICE, EXAMPLE_SERVICE, EXAMPLE_NHS_NUMBER = "Y90001", "RGN-MSK-01", "9990000018"
SCOPES = "system/ServiceRequest.write system/*.read"


def register(organisation):
    """(client, private key) for a new client of `organisation`, as an administrator makes."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from pathway.api.actions import register_api_client
    from pathway.api.keys import public_pem
    from pathway.audit.context import Actor, AuditContext, Channel

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = register_api_client(
        name=f"Bench {uuid.uuid4().hex[:8]}",
        organisation=organisation,
        scopes=SCOPES,
        public_key=public_pem(key.public_key()),
        by=Actor(kind="command", name="bench"),
        context=AuditContext(channel=Channel.COMMAND),
    )
    return client, key


def token(http, client, key):
    import jwt

    statement = json.loads(http.get("/fhir/R4/metadata").body)
    token_url = statement["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"]
    claims = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": token_url,
        "jti": str(uuid.uuid4()),
        "exp": int(time.time()) + 240,
    }
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt.encode(claims, key, algorithm="RS512"),
    }
    response = http.request(
        "POST",
        "/oauth2/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        json_body=urlencode(form),
    )
    if response.status != 200:
        raise RuntimeError(f"no token: {response.status} {response.text[:200]}")
    return json.loads(response.body)["access_token"]


def referral_bundle(practice, service, nhs_number):
    text = EXAMPLE.read_text()
    for old, new in (
        (EXAMPLE_PRACTICE, practice.ods_code),
        (EXAMPLE_SERVICE, service.code),
        (EXAMPLE_NHS_NUMBER, nhs_number),
    ):
        text = text.replace(old, new)
    bundle = json.loads(text)
    bundle["identifier"]["value"] = f"urn:uuid:{uuid.uuid4()}"
    return json.dumps(bundle)


def time_api_referrals(http, bearer, practice, service, nhs_numbers, warmup, summarise):
    samples = []
    for number, nhs in enumerate(nhs_numbers):
        response = http.request(
            "POST",
            "/fhir/R4/",
            headers={"Authorization": f"Bearer {bearer}", "Accept": "application/fhir+json"},
            json_body=referral_bundle(practice, service, nhs),
        )
        if response.status != 201:
            raise RuntimeError(f"the API referral was refused: {response.status} {response.text}")
        if number >= warmup:
            samples.append(response.server_timing())
    return summarise(samples)


def patient_records_path(patient_public_id):
    query = urlencode(
        {
            "patient": f"Patient/{patient_public_id}",
            "_include": "EpisodeOfCare:patient",
            "_count": "100",
        }
    )
    return f"/fhir/R4/EpisodeOfCare?{query}"


def patient_scores_path(patient_public_id):
    query = urlencode({"patient": f"Patient/{patient_public_id}", "_count": "100"})
    return f"/fhir/R4/Observation?{query}"


def time_api_read(http, bearer, path, *, warmup, count, summarise):
    samples = []
    for number in range(warmup + count):
        response = http.get(path, headers={"Authorization": f"Bearer {bearer}"})
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {response.text[:200]}")
        if number >= warmup:
            samples.append(response.server_timing())
    return summarise(samples)


def measure_api(url, *, gp, ttp, service, patient, count, warmup, summarise, fresh_nhs_numbers):
    """{api_referral, api_patient_records, api_patient_scores}: a GP system's client refers
    `count` new people to `service`; the TTP's service's client reads `patient`'s episodes,
    the patient included, and their scores."""
    from benchmarks.client import Client

    results = {}
    practice_client, practice_key = register(gp.practice)
    http = Client(url)
    bearer = token(http, practice_client, practice_key)
    numbers = fresh_nhs_numbers(warmup + count)
    results["api_referral"] = time_api_referrals(
        http, bearer, gp.practice, service, numbers, warmup, summarise
    )
    service_client, service_key = register(ttp.service)
    bearer = token(http, service_client, service_key)
    results["api_patient_records"] = time_api_read(
        http,
        bearer,
        patient_records_path(patient),
        warmup=warmup,
        count=count,
        summarise=summarise,
    )
    results["api_patient_scores"] = time_api_read(
        http,
        bearer,
        patient_scores_path(patient),
        warmup=warmup,
        count=count,
        summarise=summarise,
    )
    http.close()
    return results
