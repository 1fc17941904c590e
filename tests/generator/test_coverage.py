"""The specs cover the MWS surface in the shared reference data, or say why they differ.

Compared for every section the specs define: version, path, the set of actions, every leaf
parameter (full wire pattern, required flag, valid values) and throttling. A difference passes
only when the spec records it with a reason under `deviations:` (on the section, the action or
the enum), so every departure from the reference is deliberate and explained.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from generator.include import resolve_includes
from generator.load import load_specs
from generator.validate import is_shared_file

# A copy of ../shared/reference/mws-api-reference.yaml (the team's facts-only MWS checklist),
# kept in the repository so the check runs on any clone.
REFERENCE = ROOT / "tests" / "data" / "mws-api-reference.yaml"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference" / "mws-api-reference.yaml"
SECTION_SPECS = sorted(
    p
    for p in (ROOT / "specs").glob("*.yaml")
    if p.name != "marketplaces.yaml" and not is_shared_file(p.name)
)


def _section_spec(path: Path) -> dict[str, Any]:
    """A section spec's data as the generator reads it: with what it includes from
    specs/_shared.yaml (read through the generator's own loader)."""
    shared = [p for p in (ROOT / "specs").glob("*.yaml") if is_shared_file(p.name)]
    (spec,) = resolve_includes(load_specs([path, *shared], ROOT))
    data: dict[str, Any] = spec.data
    return data


def _reference() -> dict[str, Any]:
    with REFERENCE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _reference_leaves(
    parameters: list[dict[str, Any]], enums: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Full wire pattern -> {required, values} for every non-structure parameter."""
    leaves: dict[str, dict[str, Any]] = {}
    for parameter in parameters:
        if parameter.get("wire") is None:
            continue  # the HTTP body
        if parameter.get("fields"):
            leaves.update(_reference_leaves(parameter["fields"], enums))
            continue
        values = None
        if "enum" in parameter:
            values = frozenset(str(v) for v in enums[parameter["enum"]]["values"])
        elif "values" in parameter and parameter.get("type") in ("string", "list"):
            values = frozenset(str(v) for v in parameter["values"])
        leaves[parameter["wire"]] = {
            "required": parameter.get("required") is True,
            "values": values,
            "enum": parameter.get("enum"),
        }
    return leaves


def _spec_leaves(
    parameters: list[dict[str, Any]], spec: dict[str, Any], prefix: str = ""
) -> dict[str, dict[str, Any]]:
    leaves: dict[str, dict[str, Any]] = {}
    for parameter in parameters:
        wire = prefix + parameter["wire"]
        if parameter["type"] == "structure":
            fields = spec["shapes"][parameter["shape"]]["fields"]
            leaves.update(_spec_leaves(fields, spec, wire + "."))
            continue
        values = None
        if "enum" in parameter:
            values = frozenset(
                v if isinstance(v, str) else v["value"]
                for v in spec["enums"][parameter["enum"]]["values"]
            )
        elif "values" in parameter:
            values = frozenset(parameter["values"])
        leaves[wire] = {
            "required": parameter.get("required", False),
            "values": values,
            "enum": parameter.get("enum"),
        }
    return leaves


def _section_differences(spec: dict[str, Any], section: dict[str, Any]) -> list[str]:
    """Version, path and the set of actions, against the section's own `deviations:`."""
    name = spec["section"]
    found: list[str] = []
    section_deviations = spec.get("deviations", {})
    for key in ("version", "path"):
        if spec[key] != section[key] and key not in section_deviations:
            found.append(f"{name}: {key} {spec[key]!r} != reference {section[key]!r}")
    reference_actions = {action["name"] for action in section["actions"]}
    for key, actions in (
        ("action:missing", reference_actions - set(spec["actions"])),
        ("action:extra", set(spec["actions"]) - reference_actions),
    ):
        if actions and key not in section_deviations:
            found.append(f"{name}: {key} {sorted(actions)}")
    return found


def _parameter_differences(
    spec: dict[str, Any], action: dict[str, Any], reference: dict[str, Any], enums: dict[str, Any]
) -> list[tuple[str, str]]:
    """(deviation key, text) for each leaf parameter that is missing, extra or different."""
    found: list[tuple[str, str]] = []
    ours = _spec_leaves(action["parameters"], spec)
    theirs = _reference_leaves(reference.get("parameters") or [], enums)
    for wire in sorted(set(theirs) - set(ours)):
        if wire == "ContentMD5Value" and action.get("request_body"):
            continue  # computed from the body by the runtime
        found.append((f"param:{wire}:missing", f"{wire} is in the reference but not in the spec"))
    for wire in sorted(set(ours) - set(theirs)):
        found.append((f"param:{wire}:extra", f"{wire} is in the spec but not in the reference"))
    for wire in sorted(set(ours) & set(theirs)):
        if ours[wire]["required"] != theirs[wire]["required"]:
            found.append(
                (
                    f"param:{wire}:required",
                    f"{wire} required={ours[wire]['required']} but reference says {theirs[wire]['required']}",
                )
            )
        if ours[wire]["values"] != theirs[wire]["values"]:
            enum = ours[wire]["enum"]
            if enum and "values" in spec["enums"][enum].get("deviations", {}):
                continue
            mine, ref = (
                ours[wire]["values"] or frozenset(),
                theirs[wire]["values"] or frozenset(),
            )
            found.append(
                (
                    f"param:{wire}:values",
                    f"{wire} values differ: only in spec {sorted(mine - ref)}, only in reference {sorted(ref - mine)}",
                )
            )
    return found


def _throttling_differences(
    action: dict[str, Any], reference: dict[str, Any]
) -> list[tuple[str, str]]:
    """(deviation key, text) for each throttling number that differs from the reference's."""
    throttling = reference.get("throttling") or {}
    pairs = (
        (
            "max_request_quota",
            action["throttling"]["max_request_quota"],
            throttling.get("max_request_quota"),
        ),
        (
            "restore_seconds",
            action["throttling"]["restore_seconds"],
            throttling.get("restore_seconds_per_unit"),
        ),
        (
            "hourly_request_quota",
            action["throttling"].get("hourly_request_quota"),
            throttling.get("hourly_request_quota"),
        ),
    )
    found: list[tuple[str, str]] = []
    for key, mine_value, ref_value in pairs:
        equal = (
            mine_value == ref_value
            if mine_value is None or ref_value is None
            else math.isclose(float(mine_value), float(ref_value))
        )
        if not equal:
            found.append(
                (f"throttling:{key}", f"throttling {key} {mine_value} != reference {ref_value}")
            )
    return found


def _action_differences(
    spec: dict[str, Any], action_name: str, reference: dict[str, Any], enums: dict[str, Any]
) -> list[str]:
    """One action's parameter and throttling differences not recorded in its `deviations:`."""
    action = spec["actions"][action_name]
    deviations = action.get("deviations", {})
    where = f"{spec['section']}.{action_name}"
    return [
        f"{where}: {text} ({key})"
        for key, text in [
            *_parameter_differences(spec, action, reference, enums),
            *_throttling_differences(action, reference),
        ]
        if key not in deviations
    ]


def _differences(spec: dict[str, Any], section: dict[str, Any], enums: dict[str, Any]) -> list[str]:
    found = _section_differences(spec, section)
    reference_actions = {action["name"]: action for action in section["actions"]}
    for action_name in sorted(set(reference_actions) & set(spec["actions"])):
        found.extend(_action_differences(spec, action_name, reference_actions[action_name], enums))
    return found


def test_specs_match_the_reference_or_record_why() -> None:
    reference = _reference()
    sections = {section["name"]: section for section in reference["sections"]}
    differences: list[str] = []
    for path in SECTION_SPECS:
        spec = _section_spec(path)
        if spec["section"] not in sections and "section:extra" in spec.get("deviations", {}):
            continue  # a section of the project's own, not of MWS: nothing to compare with
        assert spec["section"] in sections, (
            f"{path.name}: section {spec['section']} is not in the reference "
            "(a section of your own records why under deviations: section:extra)"
        )
        differences.extend(_differences(spec, sections[spec["section"]], reference["enums"]))
    assert (
        not differences
    ), "differences from the reference without a recorded reason:\n" + "\n".join(differences)


def test_every_seller_section_is_specified() -> None:
    """The 16 seller-facing sections of the reference each have a spec."""
    reference = _reference()
    wanted = {
        name
        for name in reference["coverage"]["action_counts"]
        if name not in ("Webstore", "OffAmazonPayments")
    }
    have = {yaml.safe_load(path.read_text(encoding="utf-8"))["section"] for path in SECTION_SPECS}
    assert sorted(wanted - have) == []


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="no ../shared checkout beside this clone")
def test_reference_copy_is_current() -> None:
    assert (
        REFERENCE.read_bytes() == SHARED_REFERENCE.read_bytes()
    ), "tests/data/mws-api-reference.yaml differs from ../shared/reference: copy it again"
