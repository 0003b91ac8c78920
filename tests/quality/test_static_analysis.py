"""bandit over portal/ (no medium or high findings); pip-audit runs from .ci/pip_audit.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.quality.conftest import report
from tests.quality.tools import ROOT

BIN = Path(sys.executable).parent


def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run([str(BIN / "bandit"), "-r", "portal", "-ll", "-q", "-f", "txt"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    report("bandit: no medium or high findings in portal/")


def test_bandit_would_report_a_medium_finding(tmp_path):
    """The gate itself works: the same command flags shell=True with a variable."""
    (tmp_path / "bad.py").write_text("import subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n")
    result = subprocess.run([str(BIN / "bandit"), "-r", str(tmp_path), "-ll", "-q"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "B602" in result.stdout
