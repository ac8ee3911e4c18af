"""Install tools/local-aws/sdk/node_modules (the Lambda runtime SDK stand-in).

CI starts from a clean clone, so the launcher runs ``npm ci`` there whenever
node_modules is missing or older than the lockfile. Several launchers may
start at once (parallel jest workers), so the install holds a file lock.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import constants as c

# npm ci writes this "hidden lockfile" last; its mtime tells when the tree was
# installed.
INSTALL_MARKER = c.SDK_NODE_MODULES / ".package-lock.json"


class SdkInstallError(RuntimeError):
    pass


def _needs_install() -> bool:
    if not INSTALL_MARKER.exists():
        return True
    installed_at = INSTALL_MARKER.stat().st_mtime
    for source in (c.SDK_DIR / "package-lock.json", c.SDK_DIR / "package.json"):
        if source.stat().st_mtime > installed_at:
            return True
    return False


def _lock_path() -> Path:
    digest = hashlib.sha256(str(c.SDK_DIR).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"local-aws-sdk-{digest}.lock"


def ensure_sdk_installed() -> None:
    if not _needs_install():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SdkInstallError("npm is not on PATH; it is needed to install tools/local-aws/sdk")
    with open(_lock_path(), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _needs_install():  # another launcher did it while we waited
            return
        print("local-aws: installing tools/local-aws/sdk (npm ci) ...", file=sys.stderr, flush=True)
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=c.SDK_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
        if result.returncode != 0:
            raise SdkInstallError(
                f"npm ci in {c.SDK_DIR} failed (exit {result.returncode}):\n{result.stdout}"
            )
        INSTALL_MARKER.touch()
