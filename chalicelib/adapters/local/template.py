"""Reads infra/template.yaml and creates its tables, secrets, user pools and state machines
on any endpoint (moto locally, in tests): one source of truth for every resource."""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = ROOT / "infra" / "template.yaml"
ACCOUNT = "123456789012"

# Properties CloudFormation accepts that moto's create_table does not.
_CFN_ONLY_TABLE_PROPS = {"TableName", "PointInTimeRecoverySpecification", "TimeToLiveSpecification",
                         "DeletionProtectionEnabled", "SSESpecification", "Tags"}


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub, !GetAtt) as data."""


def _construct_tag(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - _CfnLoader is a SafeLoader


_PSEUDO = {"AWS::AccountId": lambda r: ACCOUNT, "AWS::Region": lambda r: r.region,
           "AWS::Partition": lambda r: "aws"}


@dataclass
class Resolver:
    """Resolves the intrinsics the template uses to local names and ARNs."""
    template: dict
    region: str
    stage: str = "local"
    created: dict = field(default_factory=dict)  # logical id → physical id/ARN
    parameters: dict = field(default_factory=dict)  # parameter overrides (WebOrigin locally)

    def resources(self, cfn_type: str) -> dict:
        return {k: v for k, v in self.template["Resources"].items() if v.get("Type") == cfn_type}

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{logical_id}"

    def ref(self, logical_id: str) -> str:
        if logical_id == "Stage":
            return self.stage
        if logical_id in self.parameters:
            return self.parameters[logical_id]
        if logical_id in _PSEUDO:
            return _PSEUDO[logical_id](self)
        if logical_id in self.template.get("Parameters", {}):
            return str(self.template["Parameters"][logical_id].get("Default", ""))
        if logical_id in self.created:
            return self.created[logical_id]
        res = self.template["Resources"][logical_id]
        if res["Type"] == "AWS::Serverless::Function":
            return logical_id
        props = res.get("Properties", {})
        return self.resolve(props.get("TableName") or props.get("BucketName") or props.get("Name"))

    def _sub(self, name: str) -> str:
        """`${Name}` or `${Resource.Attr}` inside Fn::Sub."""
        if "." in name:
            logical_id, attr = name.split(".", 1)
            res = self.template["Resources"][logical_id]
            if attr == "Arn" and res["Type"] == "AWS::S3::Bucket":
                return f"arn:aws:s3:::{self.ref(logical_id)}"
            if attr == "Arn" and res["Type"] == "AWS::DynamoDB::Table":
                return f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{self.ref(logical_id)}"
            return self.resolve({"Fn::GetAtt": [logical_id, attr]})
        return self.ref(name)

    def resolve(self, value):
        if isinstance(value, dict):
            if "Ref" in value:
                return self.ref(value["Ref"])
            if "Fn::Sub" in value:
                return re.sub(r"\$\{([A-Za-z0-9.:]+)\}", lambda m: self._sub(m.group(1)), value["Fn::Sub"])
            if "Fn::GetAtt" in value:
                logical_id, attr = value["Fn::GetAtt"]
                if attr == "Arn" and self.template["Resources"][logical_id]["Type"] == "AWS::Serverless::Function":
                    return self.function_arn(logical_id)
                if attr == "Name":
                    return self.resolve(self.template["Resources"][logical_id]["Properties"]["Name"])
                return self.ref(logical_id)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def table_definitions(resolver: Resolver) -> dict[str, dict]:
    """create_table arguments for every table the template declares, by table name."""
    out = {}
    for res in resolver.resources("AWS::DynamoDB::Table").values():
        props = resolver.resolve(res["Properties"])
        kwargs = {k: v for k, v in props.items() if k not in _CFN_ONLY_TABLE_PROPS}
        if "StreamSpecification" in kwargs:  # the API wants the flag CloudFormation implies
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **kwargs["StreamSpecification"]}
        out[props["TableName"]] = kwargs
    return out


def state_machine_definition(resolver: Resolver, logical_id: str) -> tuple[str, str]:
    """Name and ASL of a state machine, placeholders filled from its DefinitionSubstitutions."""
    props = resolver.template["Resources"][logical_id]["Properties"]
    asl = (ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
    subs = resolver.resolve(props.get("DefinitionSubstitutions", {}))
    missing = set(re.findall(r"\$\{([A-Za-z0-9]+)\}", asl)) - set(subs)
    if missing:
        raise ValueError(f"{logical_id}: no substitution for {sorted(missing)}")
    for key, value in subs.items():
        asl = asl.replace("${" + key + "}", value)
    json.loads(asl)
    return resolver.resolve(props["Name"]), asl


def function_handlers(template: dict) -> dict[str, str]:
    """Lambda logical id → dotted handler path, for every function the template declares."""
    return {lid: res["Properties"]["Handler"] for lid, res in template["Resources"].items()
            if res.get("Type") == "AWS::Serverless::Function"}


def api_environment(resolver: Resolver) -> dict[str, str]:
    """The environment the API function gets: the template's APIHandler variables with
    names and ARNs resolved as `provision` creates them (known before anything exists),
    except Cognito ids, which moto draws at random: empty until `provision_cognito` ran."""
    for logical_id, res in resolver.template["Resources"].items():
        if res.get("Type") in _COGNITO_TYPES:
            resolver.created.setdefault(logical_id, "")
        elif res.get("Type") == "AWS::Serverless::StateMachine":
            name = resolver.resolve(res["Properties"]["Name"])
            resolver.created[logical_id] = f"arn:aws:states:{resolver.region}:{ACCOUNT}:stateMachine:{name}"
        elif res.get("Type") == "AWS::SecretsManager::Secret":
            resolver.created[logical_id] = resolver.resolve(res["Properties"]["Name"])
    api_env = resolver.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    return {k: str(resolver.resolve(v)) for k, v in api_env.items()}


# --- Buckets (S3) ---------------------------------------------------------------------------
_CFN_CORS_RENAMES = {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders", "Id": "ID"}


def bucket_settings(resolver: Resolver, logical_id: str) -> dict:
    """The S3 API calls that give a bucket the template's properties."""
    props = resolver.resolve(resolver.template["Resources"][logical_id]["Properties"])
    calls = {}
    if "PublicAccessBlockConfiguration" in props:
        calls["put_public_access_block"] = {"PublicAccessBlockConfiguration": props["PublicAccessBlockConfiguration"]}
    if "OwnershipControls" in props:
        calls["put_bucket_ownership_controls"] = {"OwnershipControls": props["OwnershipControls"]}
    if "BucketEncryption" in props:
        calls["put_bucket_encryption"] = {"ServerSideEncryptionConfiguration": {
            "Rules": [{"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
                      for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]]}}
    if "VersioningConfiguration" in props:
        calls["put_bucket_versioning"] = {"VersioningConfiguration": props["VersioningConfiguration"]}
    if "CorsConfiguration" in props:
        calls["put_bucket_cors"] = {"CORSConfiguration": {"CORSRules": [
            {_CFN_CORS_RENAMES.get(k, k): v for k, v in rule.items()}
            for rule in props["CorsConfiguration"]["CorsRules"]]}}
    return calls


def provision_buckets(session, resolver: Resolver) -> None:
    s3 = session.client("s3", region_name=resolver.region)
    for logical_id in resolver.resources("AWS::S3::Bucket"):
        name = resolver.ref(logical_id)
        try:
            s3.create_bucket(Bucket=name)
        except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
            pass
        for operation, kwargs in bucket_settings(resolver, logical_id).items():
            getattr(s3, operation)(Bucket=name, **kwargs)


# --- Staff sign-in (Cognito) ---------------------------------------------------------------
_COGNITO_TYPES = {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
                  "AWS::Cognito::UserPoolResourceServer", "AWS::Cognito::UserPoolDomain"}
# CloudFormation property names that differ from the Cognito API's (or exist only there).
_CFN_USER_POOL_RENAMES = {"UserPoolName": "PoolName"}
_CFN_ONLY_USER_POOL_PROPS = {"EnabledMfas"}


def provision_cognito(session, resolver: Resolver) -> dict[str, str]:
    """Create the template's user pools, then their clients, through the Cognito API (moto
    has no use for CloudFormation here either); an existing pool or client of the same name
    is reused. Records the ids moto drew in `resolver.created`; returns logical id → id."""
    idp = session.client("cognito-idp", region_name=resolver.region)
    ids: dict[str, str] = {}
    for logical_id, res in resolver.resources("AWS::Cognito::UserPool").items():
        props = {_CFN_USER_POOL_RENAMES.get(k, k): v for k, v in resolver.resolve(res["Properties"]).items()
                 if k not in _CFN_ONLY_USER_POOL_PROPS}
        existing = [p["Id"] for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60)
                    for p in page["UserPools"] if p["Name"] == props["PoolName"]]
        pool_id = existing[0] if existing else idp.create_user_pool(**props)["UserPool"]["Id"]
        ids[logical_id] = resolver.created[logical_id] = pool_id
    # OAuth2 resource servers (the partner API's scopes) and hosted domains, before the clients
    # that name those scopes.
    for logical_id, res in resolver.resources("AWS::Cognito::UserPoolResourceServer").items():
        props = resolver.resolve(res["Properties"])
        try:
            idp.describe_resource_server(UserPoolId=props["UserPoolId"], Identifier=props["Identifier"])
        except idp.exceptions.ResourceNotFoundException:
            idp.create_resource_server(**props)
        ids[logical_id] = resolver.created[logical_id] = props["Identifier"]
    for logical_id, res in resolver.resources("AWS::Cognito::UserPoolDomain").items():
        props = resolver.resolve(res["Properties"])
        if not idp.describe_user_pool_domain(Domain=props["Domain"]).get("DomainDescription", {}).get("UserPoolId"):
            idp.create_user_pool_domain(**props)
        ids[logical_id] = resolver.created[logical_id] = props["Domain"]
    for logical_id, res in resolver.resources("AWS::Cognito::UserPoolClient").items():
        props = resolver.resolve(res["Properties"])  # UserPoolId: the pool created above
        existing = [c["ClientId"] for page in idp.get_paginator("list_user_pool_clients").paginate(
                        UserPoolId=props["UserPoolId"], MaxResults=60)
                    for c in page["UserPoolClients"] if c["ClientName"] == props["ClientName"]]
        client_id = existing[0] if existing else idp.create_user_pool_client(**props)["UserPoolClient"]["ClientId"]
        ids[logical_id] = resolver.created[logical_id] = client_id
    return ids


def provision(session, resolver: Resolver, secret_values: dict[str, str] | None = None) -> dict:
    """Create every table, secret, user pool and state machine of the template through
    `session`'s clients; returns the environment variables the app reads (names and ARNs,
    and the user pool's ids as moto drew them)."""
    ddb = session.client("dynamodb", region_name=resolver.region)
    existing = set(ddb.list_tables()["TableNames"])
    for name, kwargs in table_definitions(resolver).items():
        if name not in existing:
            ddb.create_table(TableName=name, **kwargs)
    sm = session.client("secretsmanager", region_name=resolver.region)
    for logical_id, res in resolver.resources("AWS::SecretsManager::Secret").items():
        name = resolver.resolve(res["Properties"]["Name"])
        value = (secret_values or {}).get(name) or secrets.token_urlsafe(48)
        try:
            sm.create_secret(Name=name, SecretString=value)
        except sm.exceptions.ResourceExistsException:
            pass
    provision_buckets(session, resolver)
    ses = session.client("ses", region_name=resolver.region)
    for res in resolver.resources("AWS::SES::EmailIdentity").values():
        ses.verify_email_identity(EmailAddress=resolver.resolve(res["Properties"]["EmailIdentity"]))
    provision_cognito(session, resolver)  # before the environment: it names the pool's ids
    sfn = session.client("stepfunctions", region_name=resolver.region)
    env = api_environment(resolver)
    for logical_id in resolver.resources("AWS::Serverless::StateMachine"):
        name, asl = state_machine_definition(resolver, logical_id)
        try:
            sfn.describe_state_machine(stateMachineArn=resolver.created[logical_id])
        except sfn.exceptions.StateMachineDoesNotExist:
            arn = sfn.create_state_machine(
                name=name, definition=asl, type="STANDARD",
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role")["stateMachineArn"]
            if arn != resolver.created[logical_id]:
                raise RuntimeError(f"{logical_id}: created {arn}, expected {resolver.created[logical_id]}")
    return env
