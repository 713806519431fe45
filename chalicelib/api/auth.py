"""Staff sign-in: `/api/auth/*`, and `current_actor(request)` for every staff route.

| route | body | answers |
|---|---|---|
| `POST /api/auth/login` | `{username, password}` | 200 `{idToken, accessToken, refreshToken, expiresIn}`; 200 `{challenge: "NEW_PASSWORD_REQUIRED", session, username, message}` on a first login with a temporary password; 401 `invalid_credentials` (unknown user and wrong password alike); 429 `account_locked` (+ Retry-After) after 5 failures in 15 minutes; 403 `account_misconfigured` when the account's unit or role is unusable |
| `POST /api/auth/password` | `{username, session, newPassword}` | 200 tokens as login; 400 `weak_password` (fields.newPassword); 401 `invalid_session` |
| `POST /api/auth/refresh` | `{refreshToken}` | 200 `{idToken, accessToken, refreshToken, expiresIn}` (the same refresh token back); 401 `invalid_refresh_token` |
| `POST /api/auth/logout` | `{accessToken}` | 204, also for an expired or already signed-out token (global sign-out: refresh tokens stop working) |
| `POST /api/auth/change-password` | `{accessToken, oldPassword, newPassword}` (+ `Authorization: Bearer <idToken>`) | 204; 400 `weak_password` (fields.newPassword), 400 `wrong_password` (fields.oldPassword; counts towards the lockout), 401 `invalid_token` when the access token is not the caller's own, 429 `account_locked` |
| `GET /api/auth/me` | — (`Authorization: Bearer <idToken>`) | 200 the caller: `{userId, username, name, role, roleName, unitId, unitName, unitType, unitLevel, regionCode, regionName, isLeader}`; 401 `unauthorized` without a token, `invalid_token` for a forged, expired, foreign or access token |

Other blueprints call `current_actor(bp.current_request)` inside a `handles_errors` route.
"""
from __future__ import annotations

import functools

from chalice import Blueprint, Response

from .. import reference, wiring
from ..adapters import clock
from ..adapters.auth import (CognitoIdentityProvider, DynamoLoginStore, JwksCache, StaffPool,
                             TokenVerifier)
from ..domain.actor import Actor, actor_from_claims
from ..domain.errors import Unauthorized
from ..services import auth as service
from .http import handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON_TYPES = ["application/json", "text/plain"]
NO_STORE = {"Cache-Control": "no-store"}


@functools.lru_cache(maxsize=4)
def _deps_for(pool: StaffPool) -> service.Deps:
    verifier = TokenVerifier(pool.issuer, pool.client_id, JwksCache(pool.jwks_url))
    return service.Deps(idp=CognitoIdentityProvider(pool), store=DynamoLoginStore(),
                        verify=verifier.verify, unit_lookup=wiring.unit_lookup,
                        region_lookup=reference.region, now=clock.now,
                        verify_access=lambda token: verifier.verify(token, "access"))


def auth_deps() -> service.Deps:
    """The adapters for the pool the environment names (one set per pool, kept per container)."""
    return _deps_for(StaffPool.from_env())


def reset() -> None:
    """Forget cached verifiers and keys (tests create a fresh pool per test)."""
    _deps_for.cache_clear()


def bearer_token(request) -> str:
    header = (request.headers or {}).get("authorization") or ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def current_actor(request) -> Actor:
    """The verified caller of a staff route: `Authorization: Bearer <idToken>` checked against
    the pool (signature, issuer, audience, token_use, expiry), then the unit directory.
    Raises Unauthorized: `unauthorized` without a bearer token, `invalid_token` for a bad
    token, `account_misconfigured` for an unusable unit or role."""
    token = bearer_token(request)
    deps = auth_deps()
    return actor_from_claims(deps.verify(token), deps.unit_lookup, deps.region_lookup)


def actor_view(actor: Actor) -> dict:
    unit = wiring.unit_lookup(actor.unit_id) or {}
    region = reference.region(actor.region_code) or {}
    return {"userId": actor.user_id, "username": actor.username, "name": actor.name,
            "role": actor.role, "roleName": actor.role_name, "unitId": actor.unit_id,
            "unitName": unit.get("name"), "unitType": actor.unit_type, "unitLevel": actor.unit_level,
            "regionCode": actor.region_code, "regionName": region.get("name"),
            "isLeader": actor.is_leader}


@bp.route("/auth/login", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def login():
    return json_response(service.login(json_body(bp.current_request), auth_deps()), headers=NO_STORE)


@bp.route("/auth/password", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def complete_new_password():
    body = service.complete_new_password(json_body(bp.current_request), auth_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/auth/refresh", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def refresh():
    return json_response(service.refresh(json_body(bp.current_request), auth_deps()), headers=NO_STORE)


@bp.route("/auth/logout", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def logout():
    service.logout(json_body(bp.current_request), auth_deps())
    return Response(body="", status_code=204, headers=NO_STORE)


@bp.route("/auth/change-password", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def change_password():
    request = bp.current_request
    actor = current_actor(request)
    service.change_password(json_body(request), actor, auth_deps())
    return Response(body="", status_code=204, headers=NO_STORE)


@bp.route("/auth/me", methods=["GET"])
@handles_errors
def me():
    return json_response(actor_view(current_actor(bp.current_request)), headers=NO_STORE)
