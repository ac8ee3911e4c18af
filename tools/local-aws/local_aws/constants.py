"""Values shared by the launcher, the patches and the Lambda executor."""

from pathlib import Path

# The moto version every patch in this package was written against. Internals
# (function names, signatures, attribute names) are version specific.
REQUIRED_MOTO_VERSION = "5.2.1"

ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
HOST = "127.0.0.1"

# Dummy credentials. moto does not verify signatures; the values only need to
# look like credentials so that SDKs do not go looking for real ones.
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "local-aws-session-token"

TOOL_DIR = Path(__file__).resolve().parent.parent  # tools/local-aws
REPO_ROOT = TOOL_DIR.parent.parent
SDK_DIR = TOOL_DIR / "sdk"
SDK_NODE_MODULES = SDK_DIR / "node_modules"
NODE_RUNNER = Path(__file__).resolve().parent / "node_runner.js"
CFN_RESPONSE_MODULE = Path(__file__).resolve().parent / "cfn_response.js"
DEFAULT_STATE_DIR = REPO_ROOT / ".local-aws"
