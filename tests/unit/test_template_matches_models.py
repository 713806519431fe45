"""One source of truth: the table and indexes the code queries are the ones the template
declares, and every ASL placeholder and Lambda the state machines call exists in it."""
from __future__ import annotations

import json
import re
from pathlib import Path

from chalicelib.adapters import dynamo
from chalicelib.adapters.local.template import ROOT, load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def test_the_models_indexes_are_the_templates():
    table = RESOURCES["MattersTable"]["Properties"]
    declared = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]]
                for i in table["GlobalSecondaryIndexes"]}
    in_code = {}
    for model in (dynamo.MatterRecord, dynamo.AuditRecord, dynamo.MediationRecord):
        for index in model._indexes.values():
            keys = sorted(index.Meta.attributes.values(), key=lambda a: not a.is_hash_key)
            in_code[index.Meta.index_name] = [a.attr_name for a in keys]
    assert in_code == declared
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]


def test_every_placeholder_has_a_substitution_and_every_task_a_function():
    for logical_id, res in RESOURCES.items():
        if res.get("Type") != "AWS::Serverless::StateMachine":
            continue
        props = res["Properties"]
        asl = (ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
        json.loads(asl)
        placeholders = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", asl))
        assert placeholders == set(props["DefinitionSubstitutions"]), logical_id
        for value in props["DefinitionSubstitutions"].values():
            function = value["Fn::GetAtt"][0]
            assert RESOURCES[function]["Type"] == "AWS::Serverless::Function"


def test_every_task_state_retries_and_catches():
    for path in Path(ROOT / "statemachines").glob("*.asl.json"):
        states = json.loads(path.read_text(encoding="utf-8"))["States"]
        for name, state in states.items():
            if state["Type"] == "Task":
                assert state.get("Retry") and state.get("Catch"), f"{path.name}: {name}"


def test_every_handler_the_template_names_imports():
    import importlib
    for res in RESOURCES.values():
        if res.get("Type") == "AWS::Serverless::Function":
            module, name = res["Properties"]["Handler"].rsplit(".", 1)
            assert callable(getattr(importlib.import_module(module), name))
