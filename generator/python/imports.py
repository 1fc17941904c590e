"""Import plans: which lines and names each generated section module imports.

Every name comes from the model (a parameter's kind, list-ness, shape and enum; the actions'
result classes), never from searching annotation text. Runtime names are checked against
the one list in `runtime_symbols`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model import Action, EnumType, ResultShape, Shape
from .runtime_symbols import RUNTIME_PACKAGE, allowed
from .types import (
    Import,
    argument_type,
    parameter_item,
    result_field_type,
    structure_field_type,
)

_DOCUMENT_ANSWER = ("Destination", "Download", "report_encoding_for")
_DOCUMENT_BODY = ("FeedSource", "flat_file_encoding_for")


@dataclass(frozen=True, slots=True)
class SectionImports:
    models: tuple[Import, ...]  # what models.py's enums, errors and fields' types import
    models_runtime_names: tuple[str, ...]  # what models.py imports from the runtime
    client: tuple[str, ...]  # standard-library import lines client.py needs
    client_package: tuple[str, ...]  # client.py's imports from elsewhere in mwskit
    client_model_names: tuple[str, ...]  # enums and shapes client.py uses from .models
    client_runtime_names: tuple[str, ...]  # what client.py imports from the runtime
    # ... for annotations only: the sessions, whose module loads httpx when a client is made
    client_type_runtime_names: tuple[str, ...]


def import_lines(needs: Iterable[Import]) -> tuple[str, ...]:
    """`from module import a, b` per module, modules and names sorted."""
    modules: dict[str, set[str]] = {}
    for module, name in needs:
        modules.setdefault(module, set()).add(name)
    return tuple(
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(modules.items())
    )


def _models_needs(
    enums: Mapping[str, EnumType],
    shapes: tuple[Shape, ...],
    results: tuple[ResultShape, ...],
    own_errors: bool,
) -> tuple[Import, ...]:
    """What models.py imports for its enums, errors and fields' types (not its classes' methods)."""
    needs: set[Import] = {("typing", "Literal"), ("enum", "StrEnum")} if enums else set()
    if own_errors:  # each error class says its documented HTTP status
        needs.add(("typing", "ClassVar"))
    for shape in shapes:
        for field in shape.fields:
            needs |= structure_field_type(parameter_item(field, enums), field.is_list).needs
    for result in results:
        for result_field in result.fields:
            needs |= result_field_type(result_field).needs
    return tuple(sorted(needs))


def _client_package_imports(actions: tuple[Action, ...], mixin: str | None) -> tuple[str, ...]:
    """Document answers and request bodies take files and a marketplace (its charsets)."""
    names: set[str] = set()
    if any(action.document for action in actions):
        names.update(_DOCUMENT_ANSWER)
    if any(action.request_body for action in actions):
        names.update(_DOCUMENT_BODY)
    lines: tuple[str, ...] = ()
    if names:
        documents = allowed(f"{RUNTIME_PACKAGE}.documents", names)
        lines = (
            "from ..marketplaces import MARKETPLACES, Marketplace",
            f"from .._runtime.documents import {', '.join(documents)}",
        )
    if mixin is not None:
        lines = (*lines, f"from .workflows import Async{mixin}, {mixin}")
    return lines


def section_imports(
    enums: Mapping[str, EnumType],
    shapes: tuple[Shape, ...],
    results: tuple[ResultShape, ...],
    actions: tuple[Action, ...],
    mixin: str | None,
    own_errors: bool,
) -> SectionImports:
    """`own_errors`: models.py defines error classes (they derive from MWSError)."""
    parameters = [p for action in actions for p in action.parameters]
    client_needs: set[Import] = {("typing", "TYPE_CHECKING")}
    for parameter in parameters:
        client_needs |= argument_type(parameter_item(parameter, enums), parameter.is_list).needs
    if any(action.next_token_action for action in actions):
        client_needs |= {("collections.abc", "Iterator"), ("collections.abc", "AsyncIterator")}
    model_names = {p.shape for p in parameters if p.shape is not None}
    for parameter in parameters:
        if parameter.enum is not None:
            model_names |= {parameter.enum, enums[parameter.enum].literal_alias}
    model_names |= {a.result_class for a in actions if not a.result_class_in_runtime}
    model_names |= {a.items_class for a in actions if a.items_class is not None}
    runtime_results = {a.result_class for a in actions if a.result_class_in_runtime}
    return SectionImports(
        models=_models_needs(enums, shapes, results, own_errors),
        models_runtime_names=allowed(
            RUNTIME_PACKAGE,
            ({"MWSResult"} if any(r.is_result for r in results) else set())
            | ({"MWSError"} if own_errors else set()),
        ),
        client=import_lines(client_needs),
        client_package=_client_package_imports(actions, mixin),
        client_model_names=tuple(sorted(model_names)),
        client_runtime_names=allowed(RUNTIME_PACKAGE, {"QuotaPlan"} | runtime_results),
        client_type_runtime_names=allowed(RUNTIME_PACKAGE, {"AsyncSession", "SyncSession"}),
    )
