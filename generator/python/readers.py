"""A response shape's generated reader, planned from its fields: the same fields the runtime's
`ResultShapeSpec` table describes, so the two cannot disagree.

The plan names every local, gives each field its value expression (one runtime building block
per rule: `convert_text`, `enum_member`; only the plain string is inlined) and a balanced
dispatch tree over the fields' slots, so a child costs one dict lookup and a few integer
comparisons whatever the shape's size.
"""

from __future__ import annotations

from .. import naming
from ..model import Reader, ReaderBranch, ReaderStep, RequiredCheck, ResultField


def reader_function(shape: str) -> str:
    """The reader of shape `shape` (also what its Operation descriptor points at)."""
    return "read_" + naming.snake_case(shape)


def enum_members(enum: str) -> str:
    """The module constant holding enum `enum`'s members by value (looked up once)."""
    return "_" + naming.constant_name(enum) + "_MEMBERS"


def _value(field: ResultField, owner: str, node: str, text: str) -> str:
    """The expression of one value of `field`, read from element `node` or raw text `text`."""
    if field.shape is not None:
        return f"{reader_function(field.shape)}({node})"
    if field.kind != "string":
        names = ", ".join(
            repr(part) for part in (field.kind, owner, field.python_name, field.xml_name)
        )
        return f"_rt.convert_text({text}, {names})"
    if field.enum is not None:
        return f"_rt.enum_member({enum_members(field.enum)}, {text})"
    # Surrounding whitespace is layout (pretty-printed answers), never part of a value.
    return f'({text} or "").strip()'


def _step(field: ResultField, slot: int, owner: str) -> ReaderStep:
    if field.source == "attribute":
        value = _value(field, owner, "", field.python_name)
        how = "one"
    elif field.source == "text":
        value = _value(field, owner, "", "_element.text")
        how = "one"
    elif field.item is not None:
        value = _value(field, owner, "_entry", "_entry.text")
        how = "wrapped"
    else:
        value = _value(field, owner, "_child", "_child.text")
        how = "repeated" if field.is_list else "one"
    return ReaderStep(field.python_name, slot, how, value, field.item, field.xml_name)


def _tree(steps: list[ReaderStep]) -> ReaderBranch | ReaderStep:
    if len(steps) == 1:
        return steps[0]
    middle = len(steps) // 2
    return ReaderBranch(steps[middle].slot, _tree(steps[:middle]), _tree(steps[middle:]))


def _suffix(field: ResultField) -> str:
    if field.source == "attribute":
        return f"/@{field.xml_name}"
    return f"/{field.xml_name}" if field.source == "element" else ""


def build_reader(name: str, fields: tuple[ResultField, ...], is_result: bool) -> Reader:
    steps = [_step(field, slot, name) for slot, field in enumerate(fields)]
    elements = [
        step for step, field in zip(steps, fields, strict=True) if field.source == "element"
    ]
    tag_slots: dict[str, int] = {}
    for step, field in zip(steps, fields, strict=True):
        if field.source == "element":
            tag_slots[field.xml_name] = step.slot  # a repeated name: the last field wins
    # Only the slots a tag can reach need a branch.
    reachable = [step for step in elements if step.slot in tag_slots.values()]
    return Reader(
        function=reader_function(name),
        slots="_" + naming.constant_name(name) + "_SLOTS",
        class_name=name,
        takes_extra=is_result,
        tag_slots=tuple(tag_slots.items()),
        lists=tuple(field.python_name for field in fields if field.is_list),
        scalars=tuple(
            field.python_name for field in fields if not field.is_list and field.source == "element"
        ),
        attributes=tuple(
            step for step, field in zip(steps, fields, strict=True) if field.source == "attribute"
        ),
        text=next(
            (step for step, field in zip(steps, fields, strict=True) if field.source == "text"),
            None,
        ),
        dispatch=_tree(reachable) if reachable else None,
        required=tuple(
            RequiredCheck(field.python_name, _suffix(field))
            for field in fields
            if field.required and not field.is_list
        ),
        arguments=tuple(field.python_name for field in fields),
    )
