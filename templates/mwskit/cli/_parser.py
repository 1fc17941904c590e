"""The argparse tree: `mwskit <section> <action> [options]`, its help texts from the specs."""

from __future__ import annotations

import argparse

from .._runtime.descriptors import Param
from ._commands import SECTIONS
from ._output import FORMATS
from ._tree import Action, Option, Section

# What every action takes besides its parameters (generator/naming.py's CLI_RESERVED_OPTIONS
# lists the same names, so no parameter's option clashes with one).
GLOBAL_OPTIONS = (
    "all-pages",
    "cli-input-json",
    "debug",
    "dry-run",
    "endpoint",
    "generate-cli-skeleton",
    "help",
    "max-attempts",
    "output",
    "profile",
    "query",
    "region",
)
BODY_OPTIONS = ("content-type", "marketplace")  # actions that send a document
DOCUMENT_OPTIONS = ("destination", "marketplace")  # actions that answer with one


def dest(python_name: str) -> str:
    """The argparse destination of a parameter (apart from the global options' names)."""
    return "param_" + python_name


def _limits(param: Param) -> list[str]:
    found = []
    if param.max_items is not None:
        found.append(f"at most {param.max_items} items")
    if param.min_length is not None:
        found.append(f"at least {param.min_length} characters")
    if param.max_length is not None:
        found.append(f"at most {param.max_length} characters")
    if param.min_value is not None:
        found.append(f"at least {param.min_value}")
    if param.max_value is not None:
        found.append(f"at most {param.max_value}")
    return found


def option_help(option: Option, param: Param) -> str:
    """Description, wire name, type, allowed values, limits; whether it is required."""
    parts = [option.description.rstrip(".") + "." if option.description else ""]
    parts.append(f"Wire: {param.pattern}. Type: {option.type_label}.")
    if param.is_list:
        parts.append("Takes several values.")
    if param.shape is not None:
        fields = ", ".join(field.python_name for field in param.shape.fields)
        parts.append(f"JSON or key=value,... with: {fields}.")
    if param.values:
        kind = "Known values" if param.open_values else "Allowed"
        parts.append(f"{kind}: {', '.join(sorted(param.values))}.")
    limits = _limits(param)
    if limits:
        parts.append("Limits: " + ", ".join(limits) + ".")
    if param.required:
        parts.append("Required.")
    return " ".join(part for part in parts if part).replace("%", "%%")


def action_description(action: Action) -> str:
    lines = [action.description, "", f"MWS action: {action.operation.name}."]
    lines.append(f"Throttling: {action.throttling}.")
    if action.pages:
        lines.append("More pages: --all-pages follows NextToken and merges the pages.")
    if not action.operation.idempotent:
        lines.append("Not safe to repeat: never re-sent once it may have reached MWS.")
    if action.docs_url:
        lines.append(f"Docs: {action.docs_url}")
    return "\n".join(lines).replace("%", "%%")


def _global_options(parser: argparse.ArgumentParser, action: Action) -> None:
    group = parser.add_argument_group("options of every command")
    group.add_argument("--output", choices=FORMATS, default="json", help="output format (json)")
    group.add_argument("--query", metavar="EXPR", help="a JMESPath expression over the result")
    if action.pages:
        group.add_argument(
            "--all-pages", action="store_true", help="follow NextToken and merge every page"
        )
    group.add_argument(
        "--cli-input-json",
        metavar="FILE",
        help="read the parameters from a JSON file ('-': standard input)",
    )
    group.add_argument(
        "--generate-cli-skeleton",
        action="store_true",
        help="print a JSON skeleton of the parameters and exit",
    )
    group.add_argument(
        "--dry-run",
        action="store_true",
        help="send nothing: print the signed request (signature redacted) and the quota wait",
    )
    group.add_argument("--endpoint", metavar="URL", help="base URL instead of the region's host")
    group.add_argument("--region", help="region or marketplace country code (NA, EU, FE, DE...)")
    group.add_argument("--profile", help="profile of the credentials file")
    group.add_argument(
        "--max-attempts",
        type=int,
        default=5,
        metavar="N",
        help="attempts of a throttled, failed or unreachable call (5; 1: no retries)",
    )
    group.add_argument("--debug", action="store_true", help="log the mwskit logger at DEBUG")


def _action_parser(sections: argparse._SubParsersAction, section: Section, action: Action) -> None:  # type: ignore[type-arg]
    parser = sections.add_parser(
        action.name,
        help=action.description.split(". ")[0].rstrip(".").replace("%", "%%"),
        description=action_description(action),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(section=section, action=action)
    params = {param.python_name: param for param in action.operation.params}
    group = parser.add_argument_group("parameters")
    for option in action.options:
        param = params[option.python_name]
        group.add_argument(
            option.flag,
            dest=dest(option.python_name),
            nargs="+" if param.is_list else None,
            action="extend" if param.is_list else "store",
            metavar=param.kind.upper(),
            help=option_help(option, param),
        )
    if action.body is not None:
        group.add_argument(
            action.body.flag,
            dest=dest(action.body.python_name),
            metavar="FILE",
            help=f"{action.body.description} A file path ('-': standard input).",
        )
        group.add_argument("--content-type", help="Content-Type of the document")
        group.add_argument("--marketplace", help="marketplace whose flat-file charset applies")
    if action.operation.document:
        group.add_argument(
            "--destination", metavar="PATH", help="write the document here (default: stdout)"
        )
        group.add_argument("--marketplace", help="marketplace whose report encoding applies")
    _global_options(parser, action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mwskit",
        description="Call the Amazon MWS API: mwskit <section> <action> [--parameter value ...]. "
        "Credentials come from the MWS_* environment variables or ~/.config/mwskit/credentials.",
    )
    sections = parser.add_subparsers(title="sections", metavar="<section>", required=True)
    for section in SECTIONS:
        section_parser = sections.add_parser(
            section.name,
            help=section.title,
            description=f"{section.title}: {section.description}".replace("%", "%%"),
        )
        actions = section_parser.add_subparsers(title="actions", metavar="<action>", required=True)
        for action in section.actions:
            _action_parser(actions, section, action)
    return parser
