"""Mail and SMS sent while running locally, readable by people: moto keeps what SES and SNS
"sent"; the outbox copies each message once to a file under <data dir>/outbox/ and lists
them for the console and the dev API."""
from __future__ import annotations

import json
import threading
from pathlib import Path

from .template import ACCOUNT


class Outbox:
    def __init__(self, folder: Path, region: str):
        self.folder = folder
        self.region = region
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _from_moto(self) -> list[dict]:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends
        out = []
        for message_id, (phone, text) in list(sns_backends[ACCOUNT][self.region].sms_messages.items()):
            out.append({"id": message_id, "channel": "sms", "to": [phone], "body": text})
        for m in list(ses_backends[ACCOUNT][self.region].sent_messages):
            if hasattr(m, "raw_data"):
                out.append({"id": m.id, "channel": "email", "from": m.source, "to": list(m.destinations),
                            "raw": m.raw_data})
            else:
                to = [a for addrs in m.destinations.values() for a in addrs]
                out.append({"id": m.id, "channel": "email", "from": m.source, "to": to,
                            "subject": m.subject, "body": m.body})
        return out

    def flush(self, now_iso: str) -> int:
        """Write every message not yet on disk; returns how many were written."""
        written = 0
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            for msg in self._from_moto():
                if msg["id"] in self._seen:
                    continue
                path = self.folder / f"{msg['channel']}-{msg['id']}.json"
                if not path.exists():
                    path.write_text(json.dumps({"at": now_iso, **msg}, ensure_ascii=False, indent=1),
                                    encoding="utf-8")
                    written += 1
                self._seen.add(msg["id"])
        return written

    def messages(self, now_iso: str, limit: int = 200) -> list[dict]:
        """Newest first, from disk, so messages of earlier runs stay readable."""
        self.flush(now_iso)
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return [json.loads(p.read_text(encoding="utf-8")) for p in files[:limit]]
