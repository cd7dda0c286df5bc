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


def _payload(credential: dict, documents: dict | None, check_status: bool, now: str | None, check_issuer: bool) -> dict:
    payload = {"credential": credential, "documents": documents or {}, "checkStatus": check_status}
    if now is not None:
        payload["now"] = now
    if not check_issuer:
        payload["checkIssuer"] = False
    return payload


def _run(payload: dict) -> dict:
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


def js_verify(
    credential: dict,
    documents: dict | None = None,
    check_status: bool = False,
    *,
    now: str | None = None,
    check_issuer: bool = True,
) -> dict:
    """Verify a credential with @digitalbazaar/vc; returns {"verified", "errors", "statusResults"}."""
    return _run(_payload(credential, documents, check_status, now, check_issuer))


def js_verify_many(credentials: list[dict], documents: dict | None = None, check_status: bool = False) -> list[dict]:
    """Verify several credentials in one run of the verifier (against the same documents); one result for each."""
    batch = [_payload(credential, documents, check_status, None, True) for credential in credentials]
    return _run({"batch": batch})["results"]
