"""The environment a client process (CDK CLI, integ-runner, SDK, tests) needs.

Both the ``--`` mode of the launcher and ``serve`` mode (via the ready file)
hand out exactly this set, so there is one definition of it.
"""

from . import constants as c

# Variables that could make an SDK or the CDK CLI pick up a real account.
# They are removed from the child's environment.
VARIABLES_TO_REMOVE = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CA_BUNDLE",
    "AWS_ENDPOINT_URL_S3",
    "HTTPS_PROXY",
    "https_proxy",
)


def endpoint_for(port: int) -> str:
    return f"http://{c.HOST}:{port}"


def client_env(port: int) -> dict[str, str]:
    """Every AWS setting a client needs to talk to the emulator on ``port``."""
    return {
        "AWS_ENDPOINT_URL": endpoint_for(port),
        # The CDK CLI builds the TemplateURL it hands to CloudFormation from
        # this endpoint. moto parses "http://127.0.0.1:PORT/bucket/key" as a
        # virtual-hosted URL (bucket "127"), but "localhost" as path style.
        "AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION": f"http://localhost:{port}",
        "AWS_ACCESS_KEY_ID": c.ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": c.SECRET_ACCESS_KEY,
        "AWS_SESSION_TOKEN": c.SESSION_TOKEN,
        "AWS_REGION": c.REGION,
        "AWS_DEFAULT_REGION": c.REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "CDK_DEFAULT_ACCOUNT": c.ACCOUNT_ID,
        "CDK_DEFAULT_REGION": c.REGION,
        # Keep the CDK CLI from phoning home (notices, telemetry) offline.
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "LOCAL_AWS": "1",
        "LOCAL_AWS_ENDPOINT": endpoint_for(port),
    }


def child_env(base: dict[str, str], port: int) -> dict[str, str]:
    """``base`` (usually os.environ) with real-AWS settings replaced by ours."""
    env = {k: v for k, v in base.items() if k not in VARIABLES_TO_REMOVE}
    env.update(client_env(port))
    return env
