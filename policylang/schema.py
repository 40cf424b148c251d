"""JSON Schema (2020-12) of a policy evaluator's inputs and results, from the resolved policy.

The inputs are what `evaluate()` of the compiled module and `policylang eval` accept: the
declared inputs (optional ones may be left out or null) and the blanks no level of the chain
filled, which the caller supplies (each is marked `x-policylang-blank` with the level expected
to fill it; a decision that needs a blank not given is reported, not computed). Money, percents
and decimals are decimal strings, so that no amount passes through a binary float. The results
are what `policylang eval` prints for a case: each decision's value (null: not applicable), and
`_error` when a decision could not be computed.
"""

from __future__ import annotations

from typing import Optional

from .semantics.model import next_level
from .semantics.model import ResolvedPolicy
from .semantics.types import Type

DIALECT = "https://json-schema.org/draft/2020-12/schema"

MONEY_IN = r"^[0-9]+(\.[0-9]{1,2})?$"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
PERCENT_IN = r"^(([0-9]{1,2}(\.[0-9]+)?|100(\.0+)?)%|0(\.[0-9]+)?|1(\.0+)?)$"

BASE_DEFS = {
    "money": {"type": "string", "pattern": MONEY_IN,
              "description": "an amount in yuan as a decimal string, at most two decimals: \"469\", \"469.00\""},
    "percent": {"type": "string", "pattern": PERCENT_IN,
                "description": "a percentage, \"80%\", or a fraction between 0 and 1 as a decimal string, \"0.8\""},
    "decimal": {"type": "string", "pattern": DECIMAL, "description": "a decimal number as a string"},
    "count": {"type": "integer", "minimum": 0, "description": "a whole number, not negative"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
             "description": "a date, YYYY-MM-DD"},
    "duration": {"type": "string", "pattern": r"^[0-9]+ (day|days|month|months|year|years)$",
                 "description": "a period such as \"2 years\""},
    "text": {"type": "string"},
}
RESULT_DEFS = {
    "money_result": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$",
                     "description": "an amount in yuan as an exact decimal string with two decimals: \"469.00\""},
    "percent_result": {"type": "string", "pattern": DECIMAL, "description": "a fraction as a decimal string: \"0.3\""},
    "error": {
        "type": "object",
        "description": "why a decision could not be computed (the first one met, in evaluation order)",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": ["string", "null"]}, "decision": {"type": ["string", "null"]},
                       "blank": {"type": "string"}, "expected_level": {"type": "string"},
                       "delegated_by": {"type": "string"}, "expected": {"type": "string"},
                       "policy": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
                       "in_force": {"type": ["string", "null"],
                                    "description": "not_in_force: the policy in force in its region that day"}},
    },
    "violation": {
        "type": "object",
        "description": "a requirement the case breaks on its day (the decisions' values still stand)",
        "required": ["requirement", "message", "policy", "location"],
        "properties": {"requirement": {"type": "string"}, "label": {"type": ["string", "null"]},
                       "article": {"type": ["string", "null"]}, "policy": {"type": "string"},
                       "level": {"type": "string"}, "location": {"type": "string"},
                       "deadline": {"type": ["string", "null"], "format": "date"}, "message": {"type": "string"}},
    },
}


def _enum_name(t: Type) -> str:
    return "enum:" + t.enum


def _ref(t: Optional[Type], policy: ResolvedPolicy, result: bool = False) -> dict:
    if t is None:
        return {}
    if t.kind == "enum":
        return {"$ref": "#/$defs/" + _enum_name(t)} if t.enum in policy.enums else {"type": "string"}
    if t.kind == "list":
        return {"type": "array", "items": {"$ref": "#/$defs/record:" + t.record}} if t.record in policy.records else \
            {"type": "array"}
    if result and t.kind in ("money", "percent"):
        return {"$ref": f"#/$defs/{t.kind}_result"}
    if result and t.kind == "decimal":
        return {"$ref": "#/$defs/decimal"}
    if t.kind in BASE_DEFS:
        return {"$ref": "#/$defs/" + t.kind}
    return {}  # none / unknown: anything


def _described(schema: dict, item, extra: Optional[str] = None) -> dict:
    out = dict(schema)
    label = item.label
    parts = [p for p in (label, extra) if p]
    article = getattr(item.origin.meta, "article", None)
    if article:
        parts.append(f"article {article}")
    if parts:
        out["description"] = "; ".join(parts)
    if label:
        out["title"] = label
    return out


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]} if schema else {}


def inputs_schema(policy: ResolvedPolicy) -> dict:
    properties: dict[str, dict] = {}
    required = []
    for name, inp in policy.inputs.items():
        schema = _described(_ref(inp.type, policy), inp, "optional" if inp.optional else None)
        if inp.optional:
            schema = {**{k: v for k, v in schema.items() if k in ("title", "description")}, **_nullable(_ref(inp.type, policy))}
        else:
            required.append(name)
        properties[name] = schema
    blanks = {}
    for blank in policy.blanks:
        by = blank.delegated_by or blank.origin
        level = blank.to_level or next_level(by.level)
        note = f"a blank {by.policy_id} left for the {level} level to fill; no level filled it, so the caller supplies it"
        schema = _described(_ref(blank.type, policy), blank, note)
        schema["x-policylang-blank"] = {"level": level, "delegated_by": by.policy_id}
        properties[blank.name] = schema
        blanks[blank.name] = level
    out = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    if blanks:
        out["x-policylang-blanks"] = blanks
    return out


def results_schema(policy: ResolvedPolicy) -> dict:
    properties: dict[str, dict] = {}
    for name in policy.decision_order:
        decision = policy.decisions[name]
        properties[name] = _described(_nullable(_ref(decision.type, policy, result=True)), decision)
    properties["_error"] = {"$ref": "#/$defs/error"}
    properties["_explain"] = {"type": "object", "description": "with --explain: the rules that decided each value"}
    properties["_violations"] = {"type": "array", "items": {"$ref": "#/$defs/violation"},
                                 "description": "the requirements the case breaks on its day, each with its article"}
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "description": "a decision left out could not be computed (see _error); null: not applicable"}


def policy_schema(policy: ResolvedPolicy, only: Optional[str] = None) -> dict:
    """The schema of the inputs and results of `policy`'s evaluator; only: "inputs" or "results"
    for a schema of that alone."""
    defs: dict[str, dict] = dict(BASE_DEFS)
    defs.update(RESULT_DEFS)
    for name in sorted(policy.enums):
        enum = policy.enums[name]
        schema = {"enum": list(enum.member_names)}
        labels = {m: label for m, label in enum.members if label}
        if labels:
            schema["description"] = "; ".join(f"{m}: {label}" for m, label in labels.items())
        defs["enum:" + name] = schema
    for name in sorted(policy.records):
        record = policy.records[name]
        properties = {}
        for f in record.fields:
            schema = _ref(f.type, policy)
            if f.optional:
                schema = _nullable(schema)
            if f.label:
                schema = {"title": f.label, **schema}
            properties[f.name] = schema
        defs["record:" + name] = {
            "type": "object", "properties": properties, "additionalProperties": False,
            "required": [f.name for f in record.fields if not f.optional],
            **({"title": record.label} if record.label else {})}
    head = {"$schema": DIALECT, "$id": f"urn:policylang:{policy.policy_id}" + (f":{only}" if only else ""),
            "title": f"{policy.policy_id}" + (f" ({policy.title})" if policy.title else "")}
    if only == "inputs":
        return {**head, **inputs_schema(policy), "$defs": defs}
    if only == "results":
        return {**head, **results_schema(policy), "$defs": defs}
    defs["inputs"] = inputs_schema(policy)
    defs["results"] = results_schema(policy)
    return {**head, "type": "object", "properties": {"inputs": {"$ref": "#/$defs/inputs"},
                                                     "results": {"$ref": "#/$defs/results"}},
            "$defs": defs}
