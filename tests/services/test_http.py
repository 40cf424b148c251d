"""`policylang serve`: a real server on 127.0.0.1 (a free port), called over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

SEEDS = os.path.join(os.path.dirname(__file__), "..", "..", "policies")
GD = "cn/gd/stent-2020"
CASE = {"selected": True, "selected_price": 469, "lowest_purchase_price": 469, "price": 469,
        "in_fund_scope": True, "reimbursement_ratio": "80%", "agreed_amount": 200000, "acceptance_date": "2021-01-15",
        "payment_date": "2021-02-26"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    base = tmp_path_factory.mktemp("serve")
    tree = str(base / "policies")
    shutil.copytree(SEEDS, tree)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "policylang", "serve", "--root", tree, "--port", str(port),
                             "--max-body", "200000", "--max-cases", "50"],
                            cwd=str(base), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=url, timeout=30) as client:
        while True:
            try:
                client.get("/policies")
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(proc.stderr.read().decode())
                time.sleep(0.1)
        yield client, tree, str(base)
    proc.terminate()
    proc.wait(10)


def test_policies_are_listed_with_levels_and_chains(service):
    client, _tree, _base = service
    listed = {p["id"]: p for p in client.get("/policies").json()}
    assert listed[GD]["level"] == "provincial"
    assert listed["cn/gd/chaozhou/stent-2020"]["chain"] == ["cn/stent-2020", GD, "cn/gd/chaozhou/stent-2020"]


def test_a_policy_shows_inputs_decisions_blanks_documents(service):
    client, _tree, _base = service
    shown = client.get(f"/policies/{GD}").json()
    assert {"name": "lowest_purchase_price", "type": "money", "optional": False,
            "label": "省内外最低采购价（含各省集采带量价格）", "article": "二"} in shown["inputs"]
    assert "listing_price" in {d["name"] for d in shown["decisions"]}
    city = client.get("/policies/cn/gd/chaozhou/stent-2020").json()
    assert "nonselected_payment_cap" in {b["name"] for b in city["blanks"]}
    assert [d["document"] for d in shown["documents"]][-1] == "粤医保发〔2020〕42号"


def _eval_cli(base: str, tree: str, cases, *args) -> list:
    path = os.path.join(base, "cases.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(cases, fh, ensure_ascii=False)
    out = subprocess.run([sys.executable, "-m", "policylang", "eval", GD, "--root", tree, "-i", path, *args],
                         cwd=base, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_evaluate_answers_exactly_what_eval_prints(service):
    client, tree, base = service
    cases = [CASE, dict(CASE, selected=False, lowest_purchase_price="7000", price=7000),
             dict(CASE, selected=False, lowest_purchase_price=8000, as_of="2021-03-01")]
    one = client.post(f"/policies/{GD}/evaluate", json={"case": CASE, "as_of": "2021-01-15"})
    assert one.status_code == 200
    assert one.json() == _eval_cli(base, tree, [CASE], "--as-of", "2021-01-15")
    assert one.json()[0]["fund_pays"] == "375.20"
    many = client.post(f"/policies/{GD}/evaluate", json={"cases": cases, "as_of": "2021-01-15", "explain": True})
    assert many.status_code == 200
    assert many.json() == _eval_cli(base, tree, cases, "--as-of", "2021-01-15", "--explain")
    bare = client.post(f"/policies/{GD}/evaluate", json=cases[:2])
    assert bare.status_code == 200 and len(bare.json()) == 2
    only = client.post(f"/policies/{GD}/evaluate", json={"case": CASE, "decisions": ["listing_price"]})
    assert only.json() == [{"listing_price": "469.00"}]


@pytest.mark.parametrize("body, field", [
    (b"not json", "body"),
    (b"", "body"),
    (b"[" * 5000 + b"]" * 5000, "body"),
    (b'{"case": {"price": 1' + b"0" * 5000 + b"}}", "body"),
    (b"\xff\xfe", "body"),
    (b'"a string"', "body"),
    (b'{"case": 5}', "case"),
    (b'{"cases": [{}, 3]}', "cases[1]"),
    (b'{"cases": {"a": 1}}', "cases"),
    (b'{"case": {}, "cases": []}', "cases"),
    (b'{"case": {}, "colour": "red"}', "colour"),
    (b'{"case": {}, "as_of": "yesterday"}', "as_of"),
    (b'{"case": {}, "as_of": 20210101}', "as_of"),
    (b'{"case": {}, "explain": "yes"}', "explain"),
    (b'{"case": {}, "decisions": ["no_such"]}', "decisions"),
    (json.dumps({"case": dict(CASE, price="lots")}).encode(), "price"),
    (json.dumps({"case": dict(CASE, price=-1)}).encode(), "price"),
    (json.dumps({"case": dict(CASE, acceptance_date="2021-02-30")}).encode(), "acceptance_date"),
    (json.dumps({"case": dict(CASE, as_of="2021-13-01")}).encode(), "as_of"),
    (json.dumps({"cases": [CASE] * 51}).encode(), "cases"),
])
def test_bad_input_is_a_422_with_the_field_and_reason(service, body, field):
    client, _tree, _base = service
    response = client.post(f"/policies/{GD}/evaluate", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    data = response.json()
    assert data["field"] == field and data["reason"]
    assert "Traceback" not in response.text


def test_a_body_too_large_is_refused(service):
    client, _tree, _base = service
    response = client.post(f"/policies/{GD}/evaluate", content=b" " * 300000)
    assert response.status_code == 413 and response.json()["field"] == "body"


def test_unknown_policies_and_paths_are_404_in_json(service):
    client, _tree, _base = service
    for response in (client.post("/policies/cn/nowhere/evaluate", json={"case": {}}),
                     client.get("/policies/cn/nowhere"), client.get("/nothing/here")):
        assert response.status_code == 404 and "reason" in response.json()
    assert client.get("/policies/cn/nowhere/schema").json()["field"] == "id"
    assert client.delete("/policies").status_code == 405


def test_schema_validates_the_cases_and_the_results(service):
    jsonschema = pytest.importorskip("jsonschema")
    client, _tree, _base = service
    schema = client.get(f"/policies/{GD}/schema").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    inputs = dict(schema, **{"$ref": "#/$defs/input"})
    results = dict(schema, **{"$ref": "#/$defs/result"})
    jsonschema.validate(CASE, inputs)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(CASE, selected="yes"), inputs)
    result = client.post(f"/policies/{GD}/evaluate", json={"case": CASE}).json()[0]
    jsonschema.validate(result, results)


def test_the_openapi_document_is_valid(service):
    validator = pytest.importorskip("openapi_spec_validator")
    client, _tree, _base = service
    document = client.get("/openapi.json").json()
    validator.validate(document)
    assert f"/policies/{GD}/evaluate" in document["paths"]


def test_a_change_to_the_tree_is_picked_up(service):
    client, tree, _base = service
    path = os.path.join(tree, "cn", "gd", "stent-2020.policy")
    original = open(path, encoding="utf-8").read()
    before = client.post(f"/policies/{GD}/evaluate",
                         json={"case": dict(CASE, selected=False, lowest_purchase_price=6500)}).json()[0]
    assert before["listing_allowed"] is True
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(original.replace("ceiling 7000 yuan", "ceiling 6000 yuan"))
        deadline = time.monotonic() + 30
        while True:
            # the first request after the change waits for the tree to be checked again (its proofs
            # take seconds of CPU, more on a machine busy with other tests)
            after = client.post(f"/policies/{GD}/evaluate", timeout=180,
                                json={"case": dict(CASE, selected=False, lowest_purchase_price=6500)}).json()[0]
            if after["listing_allowed"] is None or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        # Above the lowered cap the notice says nothing of listing: no listing, and so no payment.
        assert after["listing_allowed"] is None
    finally:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(original)


def test_concurrent_requests_are_all_answered(service):
    from concurrent.futures import ThreadPoolExecutor

    client, _tree, _base = service
    url = str(client.base_url)

    def call(i: int) -> tuple[int, list]:
        with httpx.Client(base_url=url, timeout=60) as own:
            body = {"cases": [dict(CASE, agreed_amount=100000 + i)] * 5} if i % 2 else {"case": CASE}
            response = own.post(f"/policies/{GD}/evaluate", json=body)
            return response.status_code, response.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, range(40)))
    assert all(status == 200 for status, _ in answers)
    assert all(len(body) == (5 if i % 2 else 1) for i, (_, body) in enumerate(answers))
