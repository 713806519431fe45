"""What the administration tests share: accounts beyond the demo set and a JSON caller."""
from __future__ import annotations

import json

from chalicelib import reference

PASSWORD = "Jieyou#2026demo"
ROLES = [a["username"] for a in reference.demo_accounts()]
NON_ADMINS = [u for u in ROLES if u != "admin"]
# An admin of 北湖区 (431002) and one of 苏仙区 (431003): each administers only its county.
COUNTY_ADMIN = {"username": "beihu.admin", "password": PASSWORD, "role": "admin",
                "unitId": "centre-431002", "regionCode": "431002", "name": "北湖管理员"}
OTHER_COUNTY_ADMIN = {"username": "suxian.admin", "password": PASSWORD, "role": "admin",
                      "unitId": "centre-431003", "regionCode": "431003", "name": "苏仙管理员"}
FORGED = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15In0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


class Caller:
    def __init__(self, api, token: str | None):
        self.api = api
        self.headers = {"content-type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _answer(self, response):
        body = json.loads(response.body) if response.body else None
        return response.status_code, body

    def get(self, path):
        return self._answer(self.api.get(path, headers=self.headers))

    def post(self, path, body=None):
        return self._answer(self.api.post(path, headers=self.headers, body=json.dumps(body or {})))

    def put(self, path, body):
        return self._answer(self.api.put(path, headers=self.headers, body=json.dumps(body)))
