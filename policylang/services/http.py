"""`policylang serve`: an HTTP decision service over a policy tree (Starlette, run by uvicorn).

    GET  /policies                   every policy: id, level, title, chain, whether it has errors
    GET  /policies/{id}              its inputs, decisions, blanks, and the documents of its chain
    POST /policies/{id}/evaluate     one case or a list: {"case": {...}} or {"cases": [...]} or a
                                     bare list; optional "as_of" (YYYY-MM-DD), "explain", "decisions"
    GET  /policies/{id}/schema       a JSON Schema of the policy's inputs and results
    GET  /openapi.json               an OpenAPI 3.1 document, with every policy's schemas

An evaluation answers with exactly the JSON list `policylang eval` prints (one object per case,
backends/runner.evaluate_case). Bad input is a 422 with the field and the reason, never a 500:
a body that is not JSON, a case that is not an object, an input of the wrong type, an unknown
decision, a bad date. A body larger than `max_body` bytes is a 413; a list longer than `max_cases`
a 422. Each policy's evaluator is compiled once, on first use; the tree is looked at again (file
sizes and modification times) at most every `recheck_seconds`, and reloaded when it changed.
"""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from typing import Any, Optional

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import __version__
from ..semantics.loader import discover
from ..semantics.model import ResolvedPolicy
from ..semantics.types import Type

MAX_BODY_BYTES = 1024 * 1024
MAX_CASES = 1000
RECHECK_SECONDS = 1.0
MAX_JSON_DEPTH = 64


class BadRequest(Exception):
    def __init__(self, field: Optional[str], reason: str, status: int = 422, **extra):
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.status = status
        self.extra = extra

    def body(self) -> dict:
        return {"error": "invalid_request" if self.status != 404 else "not_found", "field": self.field,
                "reason": self.reason, **self.extra}


# ---------------------------------------------------------------- schemas


_DECIMAL_STRING = r"^-?\d+(\.\d+)?$"


def input_schema_of(t: Type, policy: ResolvedPolicy) -> dict:
    """What a caller may send for a value of type t (what the compiled validators accept)."""
    kind = t.kind
    if kind == "money":
        return {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}],
                "description": "yuan, at most two decimals; a decimal string keeps it exact"}
    if kind == "percent":
        return {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                          {"type": "string", "pattern": r"^\d+(\.\d+)?%?$"}],
                "description": "a fraction 0..1, or a string such as \"30%\""}
    if kind == "decimal":
        return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": _DECIMAL_STRING}]}
    if kind == "count":
        return {"type": "integer", "minimum": 0}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind == "duration":
        return {"type": "string", "pattern": r"^\d+ (day|days|month|months|year|years)$"}
    if kind == "enum" and t.enum in policy.enums:
        return {"type": "string", "enum": list(policy.enums[t.enum].member_names)}
    return {"type": "string"}


def result_schema_of(t: Type, policy: ResolvedPolicy) -> dict:
    """What `eval` prints for a decision of type t (runner.to_json); null = not applicable."""
    kind = t.kind
    if kind in ("money", "percent", "decimal"):
        inner: dict = {"type": "string", "pattern": _DECIMAL_STRING}
    elif kind == "count":
        inner = {"type": "integer"}
    elif kind == "bool":
        inner = {"type": "boolean"}
    elif kind == "date":
        inner = {"type": "string", "format": "date"}
    elif kind == "enum" and t.enum in policy.enums:
        inner = {"type": "string", "enum": list(policy.enums[t.enum].member_names)}
    else:
        inner = {"type": "string"}
    return {"anyOf": [inner, {"type": "null"}]}


def _described(schema: dict, label: Optional[str], article: Optional[str] = None) -> dict:
    out = dict(schema)
    words = " — ".join(x for x in (label, f"article {article}" if article else None) if x)
    if words:
        out["title"] = label or words
        if article:
            out["description"] = (out.get("description", "") + f" (article {article})").strip()
    return out


def policy_schema(policy: ResolvedPolicy) -> dict:
    """A JSON Schema (2020-12) of one policy's inputs (a case) and results (one result object)."""
    properties = {}
    required = []
    for name, inp in policy.inputs.items():
        properties[name] = _described(input_schema_of(inp.type, policy), inp.label, inp.article)
        if not inp.optional:
            required.append(name)
    for blank in policy.blanks:  # a blank no level filled: the caller may give its value
        schema = _described(input_schema_of(blank.type, policy), blank.label, blank.article)
        schema["description"] = (schema.get("description", "") + " (a blank no level filled; give it "
                                 "to compute what needs it)").strip()
        properties[blank.name] = schema
    properties["as_of"] = {"type": "string", "format": "date", "description": "the evaluation date"}
    results = {name: _described(result_schema_of(d.type, policy), d.label, d.article)
               for name, d in policy.decisions.items()}
    results["_error"] = {"type": "object", "description": "why the case, or a decision, could not be "
                         "evaluated", "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                                     "field": {"type": "string"}}}
    results["_explain"] = {"type": "object", "description": "with explain: the rules that decided each value"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": policy.title or policy.policy_id,
        "$defs": {
            "input": {"type": "object", "properties": properties, "required": required,
                      "additionalProperties": False},
            "result": {"type": "object", "properties": results},
        },
    }


# ---------------------------------------------------------------- the loaded tree


class Tree:
    """The checked tree and its compiled evaluators, reloaded when a file changes."""

    def __init__(self, root: str, recheck_seconds: float = RECHECK_SECONDS):
        self.root = os.path.abspath(root)
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._stamp: Optional[tuple] = None
        self._checked_at = 0.0
        self.run = None
        self.policies: dict[str, ResolvedPolicy] = {}
        self.modules: dict[str, Any] = {}
        self.errors: dict[str, list[dict]] = {}
        self.loads = 0  # how many times the tree was (re)loaded

    def _fingerprint(self) -> tuple:
        parts = []
        for path in discover(self.root):
            try:
                st = os.stat(path)
                parts.append((path, st.st_mtime_ns, st.st_size))
            except OSError:
                parts.append((path, None, None))
        return tuple(parts)

    def current(self) -> "Tree":
        now = time.monotonic()
        with self._lock:
            if self._stamp is not None and now - self._checked_at < self.recheck_seconds:
                return self
            self._checked_at = now
            stamp = self._fingerprint()
            if stamp != self._stamp:
                self._load()
                self._stamp = stamp
        return self

    def _load(self) -> None:
        from ..pipeline import check

        run = check([self.root], self.root, progress=False)
        resolution = run.resolution
        self.run = run
        self.policies = {pid: resolution.policies[pid] for pid in resolution.order if pid in resolution.policies}
        self.modules = {}
        self.errors = {}
        for d in run.diagnostics:
            if d.severity == "error" and d.policy_id is not None:
                self.errors.setdefault(d.policy_id, []).append(
                    {"code": d.code, "message": d.message, "line": d.span.line if d.span else None})
        self.loads += 1

    def policy(self, policy_id: str) -> ResolvedPolicy:
        policy = self.policies.get(policy_id)
        if policy is None:
            raise BadRequest("id", f"there is no policy '{policy_id}'", status=404)
        return policy

    def module(self, policy_id: str):
        with self._lock:
            module = self.modules.get(policy_id)
            if module is not None:
                return module
            policy = self.policy(policy_id)
            blocking = [e for e in self.errors.get(policy_id, []) if e["code"] != "PL601"]
            if policy.has_errors or blocking:
                raise BadRequest("id", f"the policy '{policy_id}' has errors; fix them first "
                                 f"('policylang check')", status=409, errors=blocking)
            from ..backends.pycodegen import CodegenError, compile_module

            try:
                module = compile_module(policy)
            except CodegenError as exc:
                raise BadRequest("id", str(exc), status=409) from None
            self.modules[policy_id] = module
            return module


# ---------------------------------------------------------------- reading requests


async def read_json(request: Request, max_body: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > max_body:
                raise BadRequest("body", f"the body is larger than {max_body} bytes", status=413)
        except ValueError:
            raise BadRequest("body", "Content-Length is not a number") from None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise BadRequest("body", f"the body is larger than {max_body} bytes", status=413)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise BadRequest("body", "the body is empty: expected a JSON object or a list of cases")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("body", "the body is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise BadRequest("body", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (RecursionError, ValueError) as exc:  # nesting too deep; an integer of too many digits
        raise BadRequest("body", f"the JSON cannot be read: {exc.__class__.__name__}") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise BadRequest("body", f"the JSON is nested more than {MAX_JSON_DEPTH} deep")
    return data


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def parse_evaluation(data: Any, max_cases: int) -> tuple[list, Optional[str], bool, Optional[list]]:
    """(cases, as_of text, explain, decisions) of an evaluate request."""
    as_of = explain = decisions = None
    if isinstance(data, list):
        cases, field = data, "cases"
    elif isinstance(data, dict):
        unknown = sorted(set(data) - {"case", "cases", "as_of", "explain", "decisions"})
        if unknown:
            raise BadRequest(unknown[0], "unknown field; the body has \"case\" (one case) or \"cases\" (a list), "
                             "and optionally \"as_of\", \"explain\", \"decisions\"")
        if ("case" in data) == ("cases" in data):
            raise BadRequest("cases", "give either \"case\" (one case) or \"cases\" (a list of cases)")
        if "case" in data:
            cases, field = [data["case"]], "case"
        else:
            cases, field = data["cases"], "cases"
            if not isinstance(cases, list):
                raise BadRequest("cases", "must be a list of case objects")
        as_of, explain, decisions = data.get("as_of"), data.get("explain"), data.get("decisions")
    else:
        raise BadRequest("body", "expected a JSON object or a list of cases")
    if len(cases) > max_cases:
        raise BadRequest(field, f"at most {max_cases} cases in one request, not {len(cases)}")
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            where = field if field == "case" else f"cases[{index}]"
            raise BadRequest(where, "a case is an object mapping input names to values")
    if as_of is not None and not isinstance(as_of, str):
        raise BadRequest("as_of", "must be a date written YYYY-MM-DD")
    if explain is not None and not isinstance(explain, bool):
        raise BadRequest("explain", "must be true or false")
    if decisions is not None and (not isinstance(decisions, list) or not all(isinstance(d, str) for d in decisions)):
        raise BadRequest("decisions", "must be a list of decision names")
    return cases, as_of, bool(explain), decisions


def evaluate(module, cases: list, as_of: Optional[str], explain: bool, decisions: Optional[list]) -> tuple[list, list]:
    """(what `policylang eval` prints for the cases, the input problems: case, field, reason)."""
    from ..backends.runner import evaluate_case, parse_date

    global_as_of = None
    if as_of is not None:
        try:
            global_as_of = parse_date(as_of)
        except ValueError:
            raise BadRequest("as_of", f"must be a date written YYYY-MM-DD, not {as_of!r}") from None
    if decisions:
        unknown = [d for d in decisions if d not in module.DECISIONS]
        if unknown:
            raise BadRequest("decisions", f"{', '.join(unknown)} is not a decision of this policy; "
                             f"decisions: {', '.join(module.DECISIONS)}")
    results, problems = [], []
    for index, case in enumerate(cases):
        case = dict(case)
        case_as_of = global_as_of
        if "as_of" in case and "as_of" not in module.INPUTS:  # as `eval` reads a case's own date
            raw = case.pop("as_of")
            try:
                case_as_of = parse_date(str(raw))
            except ValueError:
                err = {"error": "invalid_input", "field": "as_of", "expected": "date",
                       "message": f"'as_of' must be a date written YYYY-MM-DD, not {raw!r}"}
                results.append({"_error": err})
                problems.append({"case": index, "field": "as_of", "reason": err["message"]})
                continue
        slot, exc = evaluate_case(module, case, case_as_of, list(decisions) if decisions else None, explain)
        results.append(slot)
        if exc is not None and isinstance(exc, module.InputError):
            problems.append({"case": index, "field": getattr(exc, "field", None), "reason": exc.message})
    return results, problems


# ---------------------------------------------------------------- the application


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def create_app(root: str, max_body: int = MAX_BODY_BYTES, max_cases: int = MAX_CASES,
               recheck_seconds: float = RECHECK_SECONDS) -> Starlette:
    tree = Tree(root, recheck_seconds)
    tree.current()  # load now: a tree that cannot be loaded stops the service before it listens

    def guarded(handler):
        async def endpoint(request: Request):
            try:
                return await handler(request)
            except BadRequest as exc:
                return _json(exc.body(), exc.status)
            except Exception as exc:  # noqa: BLE001 - a bug of policylang: said plainly, no traceback
                return _json({"error": "internal", "reason": f"{exc.__class__.__name__}: {exc}",
                              "field": None}, 500)
        return endpoint

    async def list_policies(request: Request):
        t = tree.current()
        return _json([{"id": pid, "level": p.level, "title": p.title, "region": p.region,
                       "document": p.document, "effective": p.effective.isoformat() if p.effective else None,
                       "chain": [link.policy_id for link in p.chain], "has_errors": pid in t.errors or p.has_errors}
                      for pid, p in t.policies.items()])

    async def show_policy(request: Request):
        t = tree.current()
        pid = request.path_params["policy_id"]
        p = t.policy(pid)
        return _json({
            "id": pid, "level": p.level, "title": p.title, "region": p.region, "issuer": p.issuer,
            "document": p.document, "effective": p.effective.isoformat() if p.effective else None,
            "parent": p.parent, "chain": [link.policy_id for link in p.chain],
            "inputs": [{"name": n, "type": str(i.type), "optional": i.optional, "label": i.label,
                        "article": i.article} for n, i in p.inputs.items()],
            "decisions": [{"name": n, "type": str(d.type), "label": d.label, "article": d.article}
                          for n, d in p.decisions.items()],
            "blanks": [{"name": b.name, "type": str(b.type), "label": b.label,
                        "delegated_by": b.delegated_by.policy_id if b.delegated_by else None} for b in p.blanks],
            "documents": [{"policy": link.policy_id, "level": link.level, "title": link.title,
                           "document": link.document,
                           "effective": link.effective.isoformat() if link.effective else None} for link in p.chain],
            "errors": t.errors.get(pid, []),
        })

    async def schema(request: Request):
        t = tree.current()
        return _json(policy_schema(t.policy(request.path_params["policy_id"])))

    async def evaluate_endpoint(request: Request):
        t = tree.current()
        pid = request.path_params["policy_id"]
        t.policy(pid)
        data = await read_json(request, max_body)
        cases, as_of, explain, decisions = parse_evaluation(data, max_cases)
        module = t.module(pid)
        results, problems = evaluate(module, cases, as_of, explain, decisions)
        if problems:
            first = problems[0]
            return _json({"error": "invalid_input", "field": first["field"], "reason": first["reason"],
                          "case": first["case"], "errors": problems, "results": results}, 422)
        return _json(results)

    async def openapi(request: Request):
        return _json(openapi_document(tree.current()))

    routes = [
        Route("/policies", guarded(list_policies), methods=["GET"]),
        Route("/policies/{policy_id:path}/evaluate", guarded(evaluate_endpoint), methods=["POST"]),
        Route("/policies/{policy_id:path}/schema", guarded(schema), methods=["GET"]),
        Route("/policies/{policy_id:path}", guarded(show_policy), methods=["GET"]),
        Route("/openapi.json", guarded(openapi), methods=["GET"]),
    ]

    async def not_found(request: Request, exc):
        status = getattr(exc, "status_code", 404)
        return _json({"error": "not_found" if status == 404 else "invalid_request", "field": None,
                      "reason": getattr(exc, "detail", None) or "no such resource"}, status)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.state.tree = tree
    return app


def _schema_name(pid: str) -> str:
    return pid.replace("/", "__")


def openapi_document(tree: Tree) -> dict:
    """OpenAPI 3.1: the service's paths, and each policy's input and result schemas as components."""
    error = {"type": "object", "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]},
                                              "reason": {"type": "string"}}, "required": ["error", "reason"]}
    components: dict[str, dict] = {"Error": error}
    paths: dict[str, dict] = {
        "/policies": {"get": {"summary": "Every policy of the tree", "operationId": "listPolicies",
                              "responses": {"200": {"description": "ids, levels, chains",
                                                    "content": {"application/json": {"schema": {"type": "array"}}}}}}},
    }
    errors = {code: {"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
              for code, what in (("404", "no such policy"), ("409", "the policy has errors"),
                                 ("413", "the body is too large"), ("422", "bad input: the field and the reason"))}
    for pid, policy in tree.policies.items():
        name = _schema_name(pid)
        sch = policy_schema(policy)
        components[f"{name}__input"] = sch["$defs"]["input"]
        components[f"{name}__result"] = sch["$defs"]["result"]
        case_ref = {"$ref": f"#/components/schemas/{name}__input"}
        body = {"oneOf": [
            {"type": "object", "properties": {"case": case_ref, "as_of": {"type": "string", "format": "date"},
                                              "explain": {"type": "boolean"},
                                              "decisions": {"type": "array", "items": {"type": "string"}}},
             "required": ["case"], "additionalProperties": False},
            {"type": "object", "properties": {"cases": {"type": "array", "items": case_ref},
                                              "as_of": {"type": "string", "format": "date"},
                                              "explain": {"type": "boolean"},
                                              "decisions": {"type": "array", "items": {"type": "string"}}},
             "required": ["cases"], "additionalProperties": False},
            {"type": "array", "items": case_ref},
        ]}
        paths[f"/policies/{pid}"] = {"get": {
            "summary": policy.title or pid, "operationId": f"show__{name}",
            "responses": {"200": {"description": "inputs, decisions, blanks, documents",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "404": errors["404"]}}}
        paths[f"/policies/{pid}/schema"] = {"get": {
            "summary": f"JSON Schema of {pid}", "operationId": f"schema__{name}",
            "responses": {"200": {"description": "the schema",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}}
        paths[f"/policies/{pid}/evaluate"] = {"post": {
            "summary": f"Evaluate {pid}", "operationId": f"evaluate__{name}",
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "one result per case, as `policylang eval` prints",
                                  "content": {"application/json": {"schema": {
                                      "type": "array", "items": {"$ref": f"#/components/schemas/{name}__result"}}}}},
                          **errors}}}
    return {"openapi": "3.1.0",
            "info": {"title": "policylang decision service", "version": __version__},
            "paths": paths, "components": {"schemas": components}}


def serve(root: str, host: str = "127.0.0.1", port: int = 8000, max_body: int = MAX_BODY_BYTES,
          max_cases: int = MAX_CASES) -> None:
    import uvicorn

    app = create_app(root, max_body, max_cases)
    uvicorn.run(app, host=host, port=port, log_level="warning")
