"""Shared fixtures: moto started before any client, resources created from the same
template the cloud uses, the state machines' Lambda tasks answered by functions/."""
from __future__ import annotations

import os
import threading
from urllib.parse import urlsplit

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "JIEYOU_STAGE": "local", "POWERTOOLS_LOG_LEVEL": "WARNING",
})
os.environ.pop("AWS_ENDPOINT_URL", None)

from chalicelib.adapters.local.template import Resolver, api_environment, load_template  # noqa: E402

TEMPLATE = load_template()
os.environ.update(api_environment(Resolver(TEMPLATE, "us-east-1")))

import boto3  # noqa: E402
import botocore.client  # noqa: E402
import pytest  # noqa: E402
import botocore.handlers  # noqa: E402
from moto import mock_aws  # noqa: E402


def _loopback_only(request, **_):
    """Registered after moto's interceptor: a request moto did not answer (a stray call from
    a finished test's execution thread, say) fails here instead of leaving the machine."""
    from moto.core.models import botocore_stubber
    host = urlsplit(request.url).hostname
    if not botocore_stubber.enabled and host not in ("127.0.0.1", "localhost", "::1"):
        raise ConnectionRefusedError(f"tests never call AWS itself: {request.url}")


botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _loopback_only))


def _reset_caches():
    from chalicelib import wiring
    from chalicelib.adapters import aws, secrets
    aws.reset()
    secrets.secret_bytes.cache_clear()
    wiring.reset()
    from chalicelib.api import auth as api_auth
    api_auth.reset()


def moto_public_jwks(url: str = "") -> dict:
    """The public JWKS moto signs every pool's tokens with (kid "dummy"): under mock_aws no
    HTTP server serves `/{poolId}/.well-known/jwks.json`, so the verifier reads moto's file."""
    from moto.utilities.utils import load_resource
    return load_resource("cognitoidp/resources/jwks-public.json")


@pytest.fixture
def aws():
    """A fresh moto account with Jieyou's tables, secrets and state machines."""
    from chalicelib.adapters.local.bridge import LambdaBridge
    from chalicelib.adapters.local.template import function_handlers, provision

    from chalicelib.adapters.local import moto_speedups
    moto_speedups.install()  # as the local runtime runs it
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        bridge = LambdaBridge(function_handlers(TEMPLATE))
        bridge.install()
        _reset_caches()
        session = boto3.session.Session()
        os.environ.update(provision(session, Resolver(TEMPLATE, "us-east-1")))  # fresh pool ids
        from chalicelib.adapters import auth as auth_adapter
        auth_adapter.set_jwks_fetcher(moto_public_jwks)
        try:
            yield session
        finally:
            auth_adapter.set_jwks_fetcher(None)
            sfn = session.client("stepfunctions")
            for sm in sfn.list_state_machines()["stateMachines"]:
                for ex in sfn.list_executions(stateMachineArn=sm["stateMachineArn"],
                                              statusFilter="RUNNING")["executions"]:
                    try:  # frees moto's threads; an execution still starting may refuse
                        sfn.stop_execution(executionArn=ex["executionArn"])
                    except Exception:  # noqa: BLE001
                        pass
            bridge.uninstall()
            _reset_caches()


@pytest.fixture
def api(aws):
    from chalice.test import Client
    from app import app
    with Client(app) as client:
        yield client.http


@pytest.fixture
def staff_token(aws):
    """staff_token("county.staff") → an id token of that demo account (or of an account dict
    `{username, password, name, unitId, role, regionCode}`), created in the staff pool on first
    use and signed in straight through Cognito (no login record, no lockout counter)."""
    from chalicelib import reference
    from chalicelib.adapters.auth import create_staff_user

    demo = {a["username"]: a for a in reference.demo_accounts()}
    idp = aws.client("cognito-idp")

    def token(who) -> str:
        account = who if isinstance(who, dict) else demo[who]
        create_staff_user(os.environ["STAFF_USER_POOL_ID"], account)
        result = idp.initiate_auth(
            ClientId=os.environ["STAFF_USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": account["username"], "PASSWORD": account["password"]})
        return result["AuthenticationResult"]["IdToken"]
    return token


@pytest.fixture
def aws_calls(monkeypatch):
    """AWS operations made by the test's own thread (the API under test; not the state
    machines' tasks, which run on moto's threads), as (service, operation)."""
    calls: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call
    test_thread = threading.get_ident()

    def recording(self, operation_name, api_params):
        if threading.get_ident() == test_thread:
            calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


def pytest_sessionfinish(session, exitstatus):
    """Executions of finished tests may still wake on moto's threads while the interpreter
    exits; their log lines would land after pytest's summary."""
    import logging
    logging.disable(logging.CRITICAL)


@pytest.fixture
def stream_pump(aws):
    """Delivers the matters table's stream to the statistics handler, as Lambda's event source
    mapping does in the cloud: call `stream_pump.pump()` after writes."""
    from chalicelib.adapters.local.bridge import LambdaBridge
    from chalicelib.adapters.local.streams import StreamPump
    from chalicelib.adapters.local.template import function_handlers
    bridge = LambdaBridge(function_handlers(TEMPLATE))
    return StreamPump(TEMPLATE, "us-east-1", bridge.invoke)
