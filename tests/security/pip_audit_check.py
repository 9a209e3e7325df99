"""pip-audit over the locked dependency set (uv.lock), for .ci/run: `python tests/security/pip_audit_check.py`.

Exit 0: every locked package was audited and none has a known vulnerability that pip_audit_allowlist.toml does not
list with a reason. Exit 1: a vulnerability, or a package the service could not audit (pip-audit itself passes
those with a warning: a network that reaches the package index but not its vulnerability data would pass
everything unaudited). Exit 3: the audit could not run (pip-audit missing, or neither PyPI's per-release JSON nor
OSV answers): it says why, and a caller decides whether that may pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWLIST = Path(__file__).with_name("pip_audit_allowlist.toml")
NOT_RUN = 3
PROBE_TIMEOUT_S = 10


def locked_requirements(lock: Path = ROOT / "uv.lock") -> list[str]:
    """`name==version` for every package uv.lock takes from a registry (the project itself is not one)."""
    packages = tomllib.loads(lock.read_text())["package"]
    return sorted(f"{p['name']}=={p['version']}" for p in packages if "registry" in p.get("source", {}))


def allowed() -> dict[str, str]:
    """Vulnerability id → why it may stay (an empty reason is refused)."""
    if not ALLOWLIST.exists():
        return {}
    entries = tomllib.loads(ALLOWLIST.read_text()).get("ignore", [])
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise SystemExit(f"{ALLOWLIST.name}: {entry.get('id')} needs a reason")
    return {entry["id"]: entry["reason"] for entry in entries}


def reachable_service(sample: str) -> tuple[str | None, list[str]]:
    """The vulnerability service that answers ("pypi" or "osv"), and what the others said."""
    name, version = sample.split("==")
    probes = [
        ("pypi", urllib.request.Request(f"https://pypi.org/pypi/{name}/{version}/json")),
        ("osv", urllib.request.Request("https://api.osv.dev/v1/query", data=b"{}", method="POST")),
    ]
    said = []
    for service, request in probes:
        try:
            with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S):
                return service, said
        except urllib.error.HTTPError as exc:
            if service == "osv" and exc.code == 400:  # OSV answers an empty query with 400: it is there
                return service, said
            said.append(f"{service}: HTTP {exc.code} for {request.full_url}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            said.append(f"{service}: {exc}")
    return None, said


def main() -> int:
    requirements = locked_requirements()
    pip_audit = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(pip_audit).exists():
        print("pip-audit NOT RUN: pip-audit is not installed (add it to the dev dependencies)")
        return NOT_RUN
    service, said = reachable_service(requirements[0])
    if service is None:
        print("pip-audit NOT RUN: no vulnerability service answers from here;", "; ".join(said))
        return NOT_RUN
    ignored = allowed()
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as pinned:
        pinned.write("\n".join(requirements) + "\n")
        pinned.flush()
        command = [pip_audit, "-r", pinned.name, "--no-deps", "--disable-pip", "-s", service, "-f", "json"]
        for vulnerability in ignored:
            command += ["--ignore-vuln", vulnerability]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed (exit {run.returncode}):\n{run.stderr}")
        return 1
    unaudited = [f"{d['name']}: {d['skip_reason']}" for d in report["dependencies"] if d.get("skip_reason")]
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release yet'})"
        for d in report["dependencies"]
        for v in d.get("vulns", [])
        if v["id"] not in ignored
    ]
    for line in unaudited:
        print("NOT AUDITED", line)
    for line in found:
        print("VULNERABLE", line)
    print(
        f"pip-audit ({service}): {len(requirements)} locked packages, {len(found)} vulnerable, "
        f"{len(unaudited)} not audited, {len(ignored)} allowed by {ALLOWLIST.name}"
    )
    return 1 if found or unaudited else 0


if __name__ == "__main__":
    sys.exit(main())
