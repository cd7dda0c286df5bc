"""Run Digital Bazaar's JavaScript verifier (scripts/js-verify.mjs) on a credential, as an independent check."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HARNESS = REPO / "scripts" / "js-verify.mjs"
TIMEOUT_SECONDS = 60


def _node_or_skip() -> str:
    """The node executable, skipping the test (failing it in CI) when node or the npm packages are missing."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed"
    elif not (REPO / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        problem = "the npm packages are not installed (run make install)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"The JavaScript verifier is required in CI but {problem}.")
        pytest.skip(f"JavaScript verifier unavailable: {problem}.")
    return node


def js_verify(
    credential: dict,
    documents: dict | None = None,
    check_status: bool = False,
    *,
    now: str | None = None,
    check_issuer: bool = True,
) -> dict:
    """Verify a credential with @digitalbazaar/vc; returns {"verified", "errors", "statusResults"}."""
    payload = {"credential": credential, "documents": documents or {}, "checkStatus": check_status}
    if now is not None:
        payload["now"] = now
    if not check_issuer:
        payload["checkIssuer"] = False
    result = subprocess.run(  # noqa: S603 - fixed executable and script, JSON on stdin
        [_node_or_skip(), str(HARNESS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=REPO,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"js-verify.mjs failed ({result.returncode}): {result.stderr.strip()}")
    return json.loads(result.stdout)
