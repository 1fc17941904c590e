"""`python -m generator generate|check|validate` (also installed as `mwsgen`).

Exit codes: 0 ok, 1 generated/ is stale (check), 2 spec errors, 3 a template produced
invalid Python.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import SpecErrors
from .format import FormatError
from .pipeline import CACHE_DIR, build_model, build_tree
from .validate import MARKETPLACES_FILE, is_shared_file
from .write import compare_tree, write_tree

EXIT_OK, EXIT_STALE, EXIT_SPEC_ERRORS, EXIT_TEMPLATE_ERROR = 0, 1, 2, 3


def _default_root() -> Path:
    return Path.cwd()


def _spec_files(root: Path, specs: str, files: list[str] | None = None) -> list[Path]:
    """The given files (plus the project's marketplaces.yaml, which every build needs, and its
    shared files unless some are given), or all."""
    if files:
        chosen = [Path(name) for name in files]
        if not any(path.name == MARKETPLACES_FILE for path in chosen):
            chosen.append(root / specs / MARKETPLACES_FILE)
        if not any(is_shared_file(path.name) for path in chosen):
            chosen.extend(
                p for p in sorted((root / specs).glob("*.yaml")) if is_shared_file(p.name)
            )
        return chosen
    return sorted((root / specs).glob("*.yaml"))


def _report(errors: SpecErrors) -> int:
    for error in errors.errors:
        print(error, file=sys.stderr)
    count = len(errors.errors)
    print(f"{count} spec error{'s' if count != 1 else ''}; nothing written", file=sys.stderr)
    return EXIT_SPEC_ERRORS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mwsgen", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="project root (default: cwd)")
    parser.add_argument("--specs", default="specs", help="spec directory, relative to the root")
    parser.add_argument("--out", default="generated", help="output directory, relative to the root")
    parser.add_argument("--templates", default="templates", help="template directory")
    parser.add_argument(
        "--no-cache", action="store_true", help=f"format everything again (cache: root/{CACHE_DIR})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("generate", help="write generated/ from the specs")
    check = commands.add_parser("check", help="exit 1 listing differences when generated/ is stale")
    check.add_argument("--quiet", action="store_true", help="list files without the diff")
    validate = commands.add_parser("validate", help="only validate spec files")
    validate.add_argument("files", nargs="*", help="spec files (default: every spec)")
    args = parser.parse_args(argv)

    root: Path = args.root or _default_root()
    out = root / args.out
    templates = root / args.templates
    try:
        if args.command == "validate":
            files = _spec_files(root, args.specs, args.files)
            api = build_model(files, root)
            actions = sum(len(section.actions) for section in api.sections)
            count = sum(not is_shared_file(path.name) for path in files)  # shared: not specs
            print(f"{count} spec files valid: {len(api.sections)} sections, {actions} actions")
            return EXIT_OK
        tree = build_tree(_spec_files(root, args.specs), root, templates, cache=not args.no_cache)
    except SpecErrors as errors:
        return _report(errors)
    except FormatError as error:
        print(f"template error: {error}", file=sys.stderr)
        return EXIT_TEMPLATE_ERROR
    if args.command == "generate":
        changed = write_tree(tree, out)
        print(f"{len(tree)} files in {args.out}/; {len(changed)} written or removed")
        return EXIT_OK
    staleness = compare_tree(tree, out, label=args.out)
    if not staleness.stale:
        print(f"{args.out}/ is up to date ({len(tree)} files)")
        return EXIT_OK
    for label, paths in (
        ("changed", staleness.changed),
        ("missing", staleness.missing),
        ("extra", staleness.extra),
    ):
        for path in paths:
            print(f"{label}: {args.out}/{path}")
    if staleness.diff and not args.quiet:
        print(staleness.diff, end="")
    print(f"{args.out}/ is stale: run `python -m generator generate`", file=sys.stderr)
    return EXIT_STALE
