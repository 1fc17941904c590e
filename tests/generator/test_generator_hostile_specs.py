"""Hostile specs (issue 13): bytes that are not UTF-8 text, YAML that expands or nests without
bound, values no spec can mean, and contradictions between actions or between sections.

Each one must be a located error (`file:line:column: $.path: message`), exit 2, no traceback,
nothing written, in bounded time and memory: the CLI runs in a subprocess under an address-space
limit (RLIMIT_AS) and every run is timed. A seeded fuzz of broken variants of a real spec closes
the file.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from generator.cli import main
from generator.errors import SpecErrors
from generator.format import FormatError
from generator.pipeline import build_tree

MEMORY_LIMIT = 512 << 20  # address space of the CLI subprocess; a validate run needs ~130 MiB
TIME_LIMIT = 5.0  # seconds of wall time per refused spec (a validate run takes ~0.4 s)

ERROR_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<path>\$\S*): (?P<message>.+)$"
)

# Line 12: max_request_quota (value at column 26); 13: restore_seconds (column 24);
# 17: max_length (column 19).
BASE = """\
section: Widgets
version: '2020-01-01'
path: /Widgets/2020-01-01
namespace: https://mws.amazonservices.com/Widgets/2020-01-01
seller_parameter: SellerId
description: A small spec for the hostile-spec tests.
actions:
  GetWidget:
    description: Fetch one widget.
    idempotent: true
    throttling:
      max_request_quota: 10
      restore_seconds: 1
    parameters:
    - wire: WidgetId
      type: string
      max_length: 20
    response:
      result_element: GetWidgetResult
"""
THROTTLING = "$.actions.GetWidget.throttling"
PARAMETER = "$.actions.GetWidget.parameters[0]"
STRING = "type: string\n      max_length: 20"  # lines 16 and 17 (the parameter's type and length)

Expected = tuple[int, int, str, str]  # line, column, JSON path, a fragment of the message


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(*args: str, root: Path = ROOT) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=30,
        preexec_fn=_limit_memory,
    )
    return result, time.monotonic() - start


def reported(result: subprocess.CompletedProcess[str]) -> list[re.Match[str]]:
    """The error lines of a refused run; fails unless it is a clean exit 2 with a count line."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert (result.returncode, result.stdout) == (2, ""), (result.returncode, output[-3000:])
    lines = result.stderr.splitlines()
    errors = [ERROR_LINE.match(line) for line in lines[:-1]]
    assert all(errors), lines
    count = len(errors)
    assert lines[-1] == f"{count} spec error{'s' if count != 1 else ''}; nothing written"
    return [error for error in errors if error]


def assert_refused(spec: Path, *expected: Expected) -> None:
    """`validate spec` exits 2 in bounded time and memory with exactly the expected errors."""
    result, elapsed = run_cli("validate", str(spec))
    errors = reported(result)
    assert elapsed < TIME_LIMIT, elapsed
    assert {error["file"] for error in errors} == {spec.as_posix()}
    got = [(int(e["line"]), int(e["column"]), e["path"], e["message"]) for e in errors]
    assert len(got) == len(expected), got
    for (line, column, path, message), want in zip(got, expected, strict=True):
        assert (line, column, path) == want[:3], got
        assert want[3] in message, got


def _spec(tmp_path: Path, content: str | bytes, name: str = "widgets.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _with(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_the_base_spec_is_valid(tmp_path: Path) -> None:
    result, _ = run_cli("validate", str(_spec(tmp_path, BASE)))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.parametrize(
    "content",
    [b"\xef\xbb\xbf" + BASE.encode(), BASE.replace("\n", "\r\n").encode()],
    ids=["utf-8-bom", "crlf"],
)
def test_a_utf8_byte_order_mark_and_crlf_line_ends_are_fine(tmp_path: Path, content: bytes) -> None:
    result, _ = run_cli("validate", str(_spec(tmp_path, content)))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_a_missing_or_unreadable_file_is_a_located_error(tmp_path: Path) -> None:
    for spec in (tmp_path / "missing.yaml", tmp_path):
        result, _ = run_cli("validate", str(spec))
        (error,) = reported(result)
        assert (error["file"], error["line"], error["column"]) == (spec.as_posix(), "1", "1")
        assert error["message"].startswith("cannot read the file: ")


# -- 1. numbers that are not finite ----------------------------------------------------------

NOT_FINITE = "is not a finite number"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("restore_seconds: 1", "restore_seconds: .nan", (13, 24, f"{THROTTLING}.restore_seconds")),
        ("restore_seconds: 1", "restore_seconds: .inf", (13, 24, f"{THROTTLING}.restore_seconds")),
        ("restore_seconds: 1", "restore_seconds: .NaN", (13, 24, f"{THROTTLING}.restore_seconds")),
        (STRING, "type: integer\n      min_value: -.Inf", (17, 18, f"{PARAMETER}.min_value")),
        # 1.0e+999 is a float too large to hold: Python reads it as inf.
        (STRING, "type: integer\n      max_value: 1.0e+999", (17, 18, f"{PARAMETER}.max_value")),
        (
            "- wire: WidgetId",
            "- wire: WidgetId\n      notes: [.nan]",
            (16, 15, f"{PARAMETER}.notes[0]"),
        ),
    ],
)
def test_non_finite_numbers_are_refused_where_they_are(
    tmp_path: Path, old: str, new: str, expected: tuple[int, int, str]
) -> None:
    assert_refused(_spec(tmp_path, _with(old, new)), (*expected, NOT_FINITE))


def test_generate_with_a_non_finite_number_writes_nothing(tmp_path: Path) -> None:
    """The .nan that once produced an unimportable package: generate refuses it, writes nothing."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "specs", project / "specs")
    shutil.copytree(ROOT / "templates", project / "templates")
    (project / "specs" / "widgets.yaml").write_text(
        _with("restore_seconds: 1", "restore_seconds: .nan"), encoding="utf-8"
    )
    result, elapsed = run_cli("generate", root=project)
    errors = reported(result)
    assert [(e["file"], e["line"], e["column"]) for e in errors] == [
        ("specs/widgets.yaml", "13", "24")
    ]
    assert elapsed < TIME_LIMIT
    assert sorted(path.name for path in project.iterdir()) == ["specs", "templates"]


# -- 2. YAML that expands or nests without bound ---------------------------------------------

ALIASES = "anchors and aliases are not allowed"
TOO_DEEP = "nested more than 64 levels deep"


def _billion_laughs() -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        items = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{items}]")
    return BASE + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(_billion_laughs(), (20, 7, "$", ALIASES), id="billion-laughs"),
        pytest.param(BASE + "notes: &loop [a, *loop]\n", (20, 8, "$", ALIASES), id="recursive"),
        pytest.param(
            BASE + "notes: [&text some text, *text]\n", (20, 9, "$", ALIASES), id="scalar-alias"
        ),
        # The 64th `[` (column 71) opens the 65th level: the document's mapping is the first.
        pytest.param(
            BASE + "notes: " + "[" * 100_000 + "]" * 100_000 + "\n",
            (20, 71, "$", TOO_DEEP),
            id="deep-flow-sequences",
        ),
        pytest.param("{a: " * 100_000 + "\n", (1, 257, "$", TOO_DEEP), id="deep-unclosed-mappings"),
        pytest.param("- " * 100_000 + "x\n", (1, 129, "$", TOO_DEEP), id="deep-block-sequences"),
        pytest.param(
            BASE + "notes: [" + "a, " * 200_000 + "a]\n",
            (20, None, "$", "more than 100000 values"),
            id="too-many-values",
        ),
        pytest.param(
            BASE + "# " + "x" * (1 << 20) + "\n", (1, 1, "$", "larger than 1 MiB"), id="too-large"
        ),
    ],
)
def test_unbounded_yaml_is_refused_quickly(
    tmp_path: Path, content: str, expected: tuple[int, int | None, str, str]
) -> None:
    spec = _spec(tmp_path, content)
    if expected[1] is None:  # the column of the first value over budget is not worth counting
        result, elapsed = run_cli("validate", str(spec))
        (error,) = reported(result)
        assert elapsed < TIME_LIMIT
        assert (int(error["line"]), error["path"]) == (expected[0], expected[2])
        assert expected[3] in error["message"]
    else:
        assert_refused(spec, (expected[0], expected[1], expected[2], expected[3]))


# -- 3. bytes that are not UTF-8 text, and keys that are not strings -------------------------


def _line(number: int, text: str) -> str:
    """BASE with `text` inserted as line `number`."""
    lines = BASE.splitlines(keepends=True)
    return "".join([*lines[: number - 1], text + "\n", *lines[number - 1 :]])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            _with("small", "caf\xe9").encode("latin-1"),
            (6, 19, "$", "byte 0xe9 is not UTF-8"),
            id="latin-1",
        ),
        # Columns count characters: the two bytes of é are one column.
        pytest.param(
            _with("small", "café \udcff").encode("utf-8", "surrogateescape"),
            (6, 21, "$", "byte 0xff is not UTF-8"),
            id="bad-byte-after-multibyte",
        ),
        pytest.param(BASE.encode("utf-16"), (1, 1, "$", "UTF-16"), id="utf-16-bom"),
        pytest.param(BASE.encode("utf-32"), (1, 1, "$", "UTF-32"), id="utf-32-bom"),
        pytest.param(BASE.encode("utf-16-le"), (1, 2, "$", "UTF-16"), id="utf-16-le"),
        pytest.param(BASE.encode("utf-16-be"), (1, 1, "$", "UTF-16"), id="utf-16-be"),
        pytest.param(
            _with("Fetch one", "Fetch\x00 one").encode(), (9, 23, "$", "NUL byte"), id="nul"
        ),
        pytest.param(
            _with("Fetch one", "Fetch\x07 one").encode(),
            (9, 23, "$", "control character U+0007"),
            id="control-character",
        ),
        pytest.param(
            _line(20, "1: x").encode(), (20, 1, "$", "key 1 is an integer"), id="integer-key"
        ),
        # An action named 404 once reached the naming code and crashed there.
        pytest.param(
            _with("  GetWidget:", "  404:").encode(),
            (8, 3, "$.actions", "key 404 is an integer"),
            id="integer-action-name",
        ),
        pytest.param(
            _line(20, "null: x").encode(), (20, 1, "$", "key null is null"), id="null-key"
        ),
        pytest.param(
            _line(9, "    on: true").encode(),
            (9, 5, "$.actions.GetWidget", "key on is a boolean"),
            id="boolean-key",
        ),
        pytest.param(_line(20, "2020-01-01: x").encode(), (20, 1, "$", "is a date"), id="date-key"),
        pytest.param(
            _line(20, "? [a]\n: b").encode(), (20, 3, "$", "key is a sequence"), id="sequence-key"
        ),
        pytest.param(
            _line(20, "{a: 1}: b").encode(), (20, 1, "$", "key is a mapping"), id="mapping-key"
        ),
        pytest.param(
            _with("version: '2020-01-01'", "version: 2020-13-45").encode(),
            (2, 10, "$.version", "month must be in 1..12"),
            id="impossible-date",
        ),
        pytest.param(
            _with("quota: 10", "quota: " + "9" * 5000).encode(),
            (12, 26, f"{THROTTLING}.max_request_quota", "cannot read"),
            id="5000-digit-integer",
        ),
    ],
)
def test_unreadable_bytes_and_keys_are_located(
    tmp_path: Path, content: bytes, expected: Expected
) -> None:
    assert_refused(_spec(tmp_path, content), expected)


# -- 4. contradictions and absurd numbers ----------------------------------------------------


ABOVE, BELOW = "greater than the maximum", "less than the minimum"
HUGE = "1" + "0" * 30


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("quota: 10", f"quota: {HUGE}", (12, 26, f"{THROTTLING}.max_request_quota", ABOVE)),
        ("seconds: 1", "seconds: 1.0e+30", (13, 24, f"{THROTTLING}.restore_seconds", ABOVE)),
        ("seconds: 1", "seconds: 1.0e-30", (13, 24, f"{THROTTLING}.restore_seconds", BELOW)),
        (
            "seconds: 1",
            f"seconds: 1\n      hourly_request_quota: {HUGE}",
            (14, 29, f"{THROTTLING}.hourly_request_quota", ABOVE),
        ),
        (
            "max_length: 20",
            f"max_length: 20\n      max_items: {HUGE}",
            (18, 18, f"{PARAMETER}.max_items", ABOVE),
        ),
        ("max_length: 20", f"max_length: {HUGE}", (17, 19, f"{PARAMETER}.max_length", ABOVE)),
        ("max_length: 20", f"min_length: {HUGE}", (17, 19, f"{PARAMETER}.min_length", ABOVE)),
        (
            STRING,
            "type: integer\n      max_value: 1.0e+30",
            (17, 18, f"{PARAMETER}.max_value", ABOVE),
        ),
        (
            STRING,
            "type: decimal\n      min_value: -1.0e+30",
            (17, 18, f"{PARAMETER}.min_value", BELOW),
        ),
    ],
)
def test_absurd_numbers_are_refused(tmp_path: Path, old: str, new: str, expected: Expected) -> None:
    assert_refused(_spec(tmp_path, _with(old, new)), expected)


def test_a_length_range_that_holds_nothing_is_refused(tmp_path: Path) -> None:
    spec = _with("max_length: 20", "max_length: 20\n      min_length: 21")
    assert_refused(
        _spec(tmp_path, spec), (18, 19, f"{PARAMETER}.min_length", "above max_length 20")
    )


def _second_section(name: str, path: str) -> str:
    return (
        BASE.replace("section: Widgets", f"section: {name}")
        .replace("path: /Widgets/2020-01-01", f"path: {path}")
        .replace("/Widgets/2020-01-01\nseller", f"/{name}/2020-01-01\nseller")
    )


def test_two_sections_with_the_same_path_are_refused(tmp_path: Path) -> None:
    first = _spec(tmp_path, BASE, "a_widgets.yaml")
    second = _spec(tmp_path, _second_section("Gadgets", "/Widgets/2020-01-01"), "b_gadgets.yaml")
    result, elapsed = run_cli("validate", str(first), str(second))
    (error,) = reported(result)
    assert elapsed < TIME_LIMIT
    assert (error["file"], error["line"], error["column"], error["path"]) == (
        second.as_posix(),
        "3",
        "7",
        "$.path",
    )
    assert error["message"] == (
        f"path '/Widgets/2020-01-01' is already the path of section 'Widgets' in {first.as_posix()}"
    )


def test_two_sections_with_the_same_name_are_refused(tmp_path: Path) -> None:
    first = _spec(tmp_path, BASE, "a_widgets.yaml")
    second = _spec(tmp_path, _second_section("Widgets", "/Widgets2/2020-01-01"), "b_widgets.yaml")
    result, _ = run_cli("validate", str(first), str(second))
    (error,) = reported(result)
    assert (error["file"], error["line"], error["column"], error["path"]) == (
        second.as_posix(),
        "1",
        "10",
        "$.section",
    )
    assert "is already defined in" in error["message"]


# -- fuzz: broken variants of a real spec ----------------------------------------------------

FUZZ_BASE = ROOT / "specs" / "sellers.yaml"
FUZZ_VARIANTS = 50
FUZZ_VALUES = [
    "[]", "{}", "[1, 2]", "{a: 1}", "0", "-1", "3.5", "true", "null", "''", "x", ".nan", "-.inf",
    "&a x", "*a", "!!binary AAAA", "!!python/object:os.system x", "2020-13-45", "'open", "[", "}",
    "@x", "`x`", "%x", "|", ">-", "- a", "? b", "1" + "0" * 40, '"\\u0000"', '"""', "\\",
]  # fmt: skip
FUZZ_BYTES = [
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"\t",
    b"\r",
    b"\x85",
    b"\xe2\x80\xa8",
    b"\xf0\x9f\x98\x80",
]


def _mutate(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    kind = rng.choice(["truncate", "value", "delete", "duplicate", "indent", "bytes"])
    if kind == "truncate":
        return text.encode()[: rng.randrange(1, len(text.encode()) - 1)]
    if kind == "value":
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*-?\s*\w+: \S", line)]
        index = rng.choice(keyed)
        key = lines[index].split(": ", 1)[0]
        lines[index] = f"{key}: {rng.choice(FUZZ_VALUES)}\n"
    elif kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "indent":
        shift = rng.choice([-2, -1, 1, 3])
        line = lines[index]
        lines[index] = " " * shift + line if shift > 0 else line[-shift:]
    else:
        data = "".join(lines).encode()
        at = rng.randrange(len(data))
        return data[:at] + rng.choice(FUZZ_BYTES) + data[at:]
    return "".join(lines).encode()


def _run_in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(ROOT), *args])
    return code, out.getvalue(), err.getvalue()


def test_fuzzed_specs_are_refused_with_located_errors(tmp_path: Path) -> None:
    """Each variant (a seeded mutation of specs/sellers.yaml) is refused with located errors or,
    when the mutation happens to leave a valid spec, also generates without a crash."""
    rng = random.Random(13)
    text = FUZZ_BASE.read_text(encoding="utf-8")
    start = time.monotonic()
    refused = 0
    for number in range(FUZZ_VARIANTS):
        spec = _spec(tmp_path, _mutate(text, rng), f"sellers_{number:02d}.yaml")
        variant_start = time.monotonic()
        code, out, err = _run_in_process("validate", str(spec))
        assert time.monotonic() - variant_start < TIME_LIMIT, spec
        assert code in (0, 2), (spec.read_bytes()[:2000], out, err)
        if code == 2:
            refused += 1
            lines = err.splitlines()
            assert out == "" and lines[-1].endswith("; nothing written"), (spec, err)
            for line in lines[:-1]:
                match = ERROR_LINE.match(line)
                assert match and match["file"] == spec.as_posix(), (spec, line)
            continue
        files = [spec, ROOT / "specs" / "marketplaces.yaml", ROOT / "specs" / "_shared.yaml"]
        try:
            build_tree(files, ROOT, ROOT / "templates", cache=False)
        except SpecErrors:
            pass
        except FormatError as error:  # a valid spec must render valid Python
            pytest.fail(f"{spec}: {error}")
    assert refused >= 40, refused
    assert time.monotonic() - start < 60
