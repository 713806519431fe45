"""Machine clients (the 12345 hotline, partner institutions) get their identity from the
template as the staff do: a pool of their own with the `jieyou` resource server's scopes and
a client-credentials app client with a secret, created locally through the Cognito API."""
from __future__ import annotations

from chalicelib.adapters.local.template import load_template


def _pool(idp, name):
    return next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name)


def test_the_hotline_client_holds_client_credentials_with_the_partner_scopes_only(aws):
    idp = aws.client("cognito-idp")
    partners = _pool(idp, "jieyou-local-partners")
    server = idp.describe_resource_server(UserPoolId=partners, Identifier="jieyou")["ResourceServer"]
    assert sorted(s["ScopeName"] for s in server["Scopes"]) == ["matters.read", "matters.write"]

    clients = idp.list_user_pool_clients(UserPoolId=partners, MaxResults=60)["UserPoolClients"]
    hotline = next(c for c in clients if c["ClientName"] == "jieyou-local-hotline-12345")
    client = idp.describe_user_pool_client(UserPoolId=partners, ClientId=hotline["ClientId"])["UserPoolClient"]
    assert client["ClientSecret"]
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert sorted(client["AllowedOAuthScopes"]) == ["jieyou/matters.read", "jieyou/matters.write"]

    # Staff and machines never share a pool: no partner client in the staff pool, and the
    # staff console's client has no OAuth scopes.
    staff = _pool(idp, "jieyou-local-staff")
    staff_clients = idp.list_user_pool_clients(UserPoolId=staff, MaxResults=60)["UserPoolClients"]
    assert [c["ClientName"] for c in staff_clients] == ["jieyou-local-console"]
    assert idp.describe_user_pool_domain(Domain=f"jieyou-local-partners-123456789012")[
        "DomainDescription"]["UserPoolId"] == partners


def test_the_api_role_cannot_administer_the_partner_pool():
    """The API's Cognito grants name the staff pool only."""
    statements = load_template()["Resources"]["ApiHandlerPermissions"]["Properties"]["PolicyDocument"]["Statement"]
    cognito = [s for s in statements if any(a.startswith("cognito-idp:") for a in s["Action"])]
    assert cognito and all(s["Resource"] == [{"Fn::GetAtt": ["StaffUserPool", "Arn"]}] for s in cognito)
