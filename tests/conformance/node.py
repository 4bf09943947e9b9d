"""Running a node conformance suite from pytest, and reading what it reports."""

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from vaa.settings import ROOT


def run_node_suite(suite: Path, swaps: dict[str, Path]) -> subprocess.CompletedProcess[str]:
    """Run `suite` with node's test runner; `swaps` sets environment variables naming the
    copies of modules it loads instead of the real ones (and unsets the others it names)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the conformance suite needs Node.js 20 or later")
    env = {k: v for k, v in os.environ.items() if k not in swaps}
    env.update({k: str(v) for k, v in swaps.items() if v is not None})
    return subprocess.run(
        [node, "--test", str(suite)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tally(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """How many of a run's tests passed and failed (node's "# pass N", "# fail N")."""
    counts = dict(re.findall(r"^# (pass|fail) (\d+)$", result.stdout, re.MULTILINE))
    return int(counts.get("pass", 0)), int(counts.get("fail", 0))


def assert_caught(
    path: Path,
    mutant: tuple[str, str],
    run: Callable[[Path], subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    """Break `path` by one replacement (old, new), `run` the suite on the broken copy, and
    assert it fails on cases, not on loading: the module ran and some checks still passed."""
    old, new = mutant
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"the mutant {old!r} no longer applies to {path.name}"
    broken = tmp_path / path.name
    broken.write_text(source.replace(old, new), encoding="utf-8")
    result = run(broken)
    passed, failed = tally(result)
    assert result.returncode != 0 and failed > 0, f"the suite passed with {new!r} in {path.name}"
    assert passed > 0, result.stdout[-4000:]
