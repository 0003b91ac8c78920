"""Run pip-audit when its vulnerability database answers; otherwise say plainly that it was not run.

A closed network still lets pip-audit print "No known vulnerabilities found", so reachability is
checked first: a version with a published advisory (Jinja2 2.10) must come back with it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path


def vulnerability_database_answers(timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/pypi/jinja2/2.10/json", timeout=timeout) as response:  # nosec B310
            return bool(json.load(response).get("vulnerabilities"))
    except Exception:  # noqa: BLE001  any failure means: cannot audit here
        return False


def main() -> int:
    if not vulnerability_database_answers():
        print("pip-audit skipped: vulnerability database unreachable (NOT RUN — no result)")
        return 0
    pip_audit = Path(sys.executable).parent / "pip-audit"
    return subprocess.run([str(pip_audit), "--skip-editable", "--progress-spinner", "off"]).returncode


if __name__ == "__main__":
    sys.exit(main())
