"""mwsgen: generate a typed MWS client and its reference docs from YAML specs.

Commands: generate, check, validate, diff (`mwsgen COMMAND --help` explains each, with an
example). Run as `mwsgen` once installed, or `python -m generator` in a checkout.

Exit codes: 0 ok, 1 the output is stale (check), 2 bad input (spec errors, a missing directory,
an output directory mwsgen does not own), 3 an I/O or template error, 4 a breaking change with
`diff --fail-on-breaking`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from . import __version__
from .diff import BREAKING, diff_apis
from .errors import EXIT_BAD_INPUT, EXIT_IO, SpecErrors, ToolError
from .format import FormatError
from .model import Api
from .pipeline import CACHE_DIR, build_model, build_tree
from .validate import MARKETPLACES_FILE, is_shared_file
from .write import MANIFEST, compare_tree, write_tree

EXIT_OK, EXIT_STALE, EXIT_BREAKING = 0, 1, 4

_EXAMPLES = {
    "generate": """\
Write the client package and its docs from the specs into the output directory. Only files
mwsgen wrote (listed in OUT/{manifest}, starting with its header) are ever overwritten or
deleted; any other file in OUT is kept and reported as unmanaged.

example:
  mwsgen generate --specs my_specs --out client --templates my_templates""",
    "check": """\
Exit 1, listing changed / missing / extra files with a diff, when the output directory is not
what `generate` would write (CI runs this); files of your own in it are listed as unmanaged.

example:
  mwsgen check --specs specs --out generated --quiet""",
    "validate": """\
Check the specs only (JSON Schema, then the semantic checks); every error is reported as
file:line:column: $.path: message, and the exit code is 2 when there is one.

example:
  mwsgen validate --specs my_specs
  mwsgen validate my_specs/orders.yaml""",
    "diff": """\
Compare two spec sets at the level users of the client see (sections, methods, parameters,
types, required flags, valid values, limits, result fields). Each change is breaking, additive
or patch (documentation and other details); the semver part to bump follows, with the next
version from package_version in marketplaces.yaml.

examples:
  mwsgen diff old_specs new_specs --format json
  mwsgen diff --git-rev origin/main --specs specs --fail-on-breaking""",
}


def _add_common(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    """The options every command takes, before or after its name (after wins)."""
    default = (lambda value: value) if top_level else (lambda value: argparse.SUPPRESS)
    parser.add_argument(
        "--root", type=Path, default=default(None), help="project root (default: current directory)"
    )
    parser.add_argument(
        "--specs",
        default=default("specs"),
        help="spec directory, relative to the root (default: specs)",
    )
    parser.add_argument(
        "--out",
        default=default("generated"),
        help="output directory, relative to the root (default: generated)",
    )
    parser.add_argument(
        "--templates",
        default=default(None),
        help="directory of templates overriding built-in ones by path (default: none)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=default(False),
        help=f"format everything again (black's cache: ROOT/{CACHE_DIR})",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mwsgen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mwsgen {__version__}")
    _add_common(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=_EXAMPLES[name].format(manifest=MANIFEST),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_common(sub, top_level=False)
        return sub

    generate = command("generate", "write the client package and docs from the specs")
    generate.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty directory without a manifest; files carrying the "
        "generator's header may be overwritten, no other file is touched",
    )
    check = command("check", "exit 1 listing differences when the output is stale")
    check.add_argument("--quiet", action="store_true", help="list files without the diff")
    validate = command("validate", "only validate spec files")
    validate.add_argument("files", nargs="*", help="spec files (default: every spec)")
    diff = command("diff", "API-surface changes between two spec sets, and the semver bump")
    diff.add_argument(
        "spec_dirs",
        nargs="*",
        metavar="SPECS",
        help="OLD_SPECS NEW_SPECS; with --git-rev only NEW_SPECS (default: --specs)",
    )
    diff.add_argument(
        "--git-rev",
        metavar="REV",
        help="the old specs are the spec directory as of this git revision",
    )
    diff.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown: a changelog section (default); json: for tools and CI",
    )
    diff.add_argument(
        "--fail-on-breaking", action="store_true", help="exit 4 when a change is breaking"
    )
    return parser


def _spec_dir(path: Path) -> Path:
    if not path.is_dir():
        raise ToolError(f"specs directory {path} does not exist")
    if not any(path.glob("*.yaml")):
        raise ToolError(f"specs directory {path} holds no spec files (*.yaml)")
    return path


def _spec_files(specs: Path, files: list[str] | None = None) -> list[Path]:
    """The given files (plus marketplaces.yaml, which every build needs, and the shared files
    unless some are given), or every spec of the directory."""
    if files:
        chosen = [Path(name) for name in files]
        if not any(path.name == MARKETPLACES_FILE for path in chosen):
            chosen.append(specs / MARKETPLACES_FILE)
        if not any(is_shared_file(path.name) for path in chosen):
            chosen.extend(p for p in sorted(specs.glob("*.yaml")) if is_shared_file(p.name))
        return chosen
    return sorted(_spec_dir(specs).glob("*.yaml"))


def _display_root(root: Path, specs: Path) -> Path:
    """What spec paths in headers and errors are relative to: the root when the specs are
    inside it, else the specs directory's parent (never an absolute path)."""
    if specs.resolve().is_relative_to(root.resolve()):
        return root
    return specs.resolve().parent


def _model(root: Path, specs: Path) -> Api:
    return build_model(_spec_files(specs), _display_root(root, specs))


def _report(errors: SpecErrors) -> int:
    for error in errors.errors:
        print(error, file=sys.stderr)
    count = len(errors.errors)
    print(f"{count} spec error{'s' if count != 1 else ''}; nothing written", file=sys.stderr)
    return EXIT_BAD_INPUT


def _git_specs(specs: Path, rev: str, into: Path) -> Path:
    """The spec files of a directory as of a git revision, copied into `into`."""

    def git(*args: str, cwd: Path) -> bytes:
        try:
            done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
        except OSError as error:
            raise ToolError(f"--git-rev needs git: {error.strerror}", EXIT_IO) from None
        if done.returncode != 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines() or ["failed"]
            raise ToolError(f"--git-rev {rev}: git {args[0]}: {lines[-1]}")
        return done.stdout

    folder = _spec_dir(specs).resolve()
    try:
        toplevel = git("rev-parse", "--show-toplevel", cwd=folder)
    except ToolError:
        raise ToolError(f"--git-rev: {specs} is not inside a git repository") from None
    top = Path(toplevel.decode().strip()).resolve()
    relative = folder.relative_to(top).as_posix()
    listing = git("ls-tree", "--name-only", "-z", rev, "--", f"{relative}/", cwd=top)
    names = [name for name in listing.decode().split("\0") if name.endswith(".yaml")]
    if not names:
        raise ToolError(f"--git-rev {rev}: no spec files (*.yaml) in {relative}/ at that revision")
    into.mkdir(parents=True, exist_ok=True)
    for name in names:
        (into / Path(name).name).write_bytes(git("show", f"{rev}:{name}", cwd=top))
    return into


def _diff(args: argparse.Namespace, root: Path) -> int:
    dirs = [root / name for name in args.spec_dirs]
    limit = 1 if args.git_rev else 2
    if len(dirs) > limit or (not args.git_rev and not dirs):
        raise ToolError("diff takes OLD_SPECS NEW_SPECS, or --git-rev REV and at most NEW_SPECS")
    new_specs = dirs[-1] if len(dirs) == limit else root / args.specs
    with tempfile.TemporaryDirectory(prefix="mwsgen-diff-") as temp:
        old_specs = (
            _git_specs(new_specs, args.git_rev, Path(temp) / new_specs.name)
            if args.git_rev
            else dirs[0]
        )
        old = build_model(_spec_files(old_specs), old_specs.resolve().parent)
    new = _model(root, new_specs)
    result = diff_apis(old, new)
    print(result.as_json() if args.format == "json" else result.as_markdown(), end="")
    if args.fail_on_breaking and result.of_kind(BREAKING):
        return EXIT_BREAKING
    return EXIT_OK


def _generate(args: argparse.Namespace, root: Path) -> int:
    specs, out = root / args.specs, root / args.out
    templates = root / args.templates if args.templates else None
    tree = build_tree(
        _spec_files(specs),
        _display_root(root, specs),
        templates,
        cache_root=root,
        cache=not args.no_cache,
    )
    if args.command == "generate":
        report = write_tree(tree, out, force=args.force)
        print(
            f"{len(tree)} files in {args.out}/; {len(report.written)} written, "
            f"{len(report.removed)} removed"
        )
        for path in report.edited:
            print(f"edited by hand, regenerated: {args.out}/{path}", file=sys.stderr)
        for path in report.unmanaged:
            print(f"unmanaged (kept): {args.out}/{path}")
        return EXIT_OK
    staleness = compare_tree(tree, out, label=args.out)
    for path in staleness.unmanaged:
        print(f"unmanaged: {args.out}/{path}")
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


def _run(args: argparse.Namespace) -> int:
    root: Path = args.root or Path.cwd()
    if args.command == "validate":
        specs = root / args.specs
        files = _spec_files(specs, args.files)
        api = build_model(files, _display_root(root, specs))
        actions = sum(len(section.actions) for section in api.sections)
        count = sum(not is_shared_file(path.name) for path in files)  # shared: not specs
        print(f"{count} spec files valid: {len(api.sections)} sections, {actions} actions")
        return EXIT_OK
    if args.command == "diff":
        return _diff(args, root)
    return _generate(args, root)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SpecErrors as errors:
        return _report(errors)
    except FormatError as error:
        print(f"mwsgen: template error: {error}", file=sys.stderr)
        return EXIT_IO
    except ToolError as error:
        print(f"mwsgen: error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"mwsgen: error:{where}: {error.strerror or error}", file=sys.stderr)
        return EXIT_IO
