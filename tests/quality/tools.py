"""The pinned quality-gate tools (axe-core, the Nu Html Checker) that `make test` fetches from npm."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".ci" / "tools"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"


def _makefile_pin(name: str) -> str:
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith(f"{name} :="):
            return line.split(":=", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in the Makefile")


def ensure_tools() -> None:
    """Fetch the pinned tools like `make quality-tools` does, so a bare `pytest` works too."""
    if AXE_JS.exists() and VNU_JAR.exists():
        return
    subprocess.run(["make", "-s", "quality-tools"], cwd=ROOT, check=True, timeout=600)
    assert AXE_JS.exists() and VNU_JAR.exists(), "npm did not provide axe.min.js and vnu.jar"
