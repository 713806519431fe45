"""The local media path of video mediation: a signalling relay for WebRTC, in memory.

Locally there is no Chime SDK. Browsers connect to each other directly (RTCPeerConnection on
loopback needs no STUN/TURN); this relay only passes their offers, answers and ICE candidates,
and keeps the room's order: parties wait in a lobby until the mediator admits them, the
mediator can remove someone, and ending the session ends the room.

HTTP (served by the local server, `/api/meetings/relay/...`, JSON, each call carries the
participant's join token):
- `POST join` `{meetingId, token}` → `{participantId, role, name, state}` (mediators are admitted at once)
- `POST poll` `{meetingId, token, timeout?}` → `{messages: [...]}`, a long poll of up to 20 s
- `POST send` `{meetingId, token, to, data}` → relays `{type: "signal", from, data}` to `to`
- `POST admit` / `POST remove` `{meetingId, token, participantId}` (mediators only)
- `POST leave` `{meetingId, token}`

Messages: `waiting` (to mediators: someone is in the lobby), `admitted` `{peers}` (to the
admitted: who is already in, they make the offers), `peer-joined`, `peer-left`, `signal`,
`removed`, `ended`.
"""
from __future__ import annotations

import json
import threading
import time

MAX_WAIT = 20.0


class RelayError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Relay:
    def __init__(self):
        self._lock = threading.Condition()
        self._rooms: dict[str, dict] = {}

    # --- the adapter's side (LocalMeetings) -----------------------------------------------
    def open(self, meeting: dict, participants: dict[str, dict]) -> None:
        with self._lock:
            self._rooms[meeting["meetingId"]] = {
                "tokens": {a["joinToken"]: pid for pid, a in meeting["attendees"].items()},
                "people": {pid: {"role": p["role"], "name": p["name"]} for pid, p in participants.items()},
                "state": {}, "queues": {pid: [] for pid in participants}, "closed": False}

    def close(self, meeting_id: str) -> None:
        with self._lock:
            room = self._rooms.get(meeting_id)
            if room:
                room["closed"] = True
                for pid in room["queues"]:
                    room["queues"][pid].append({"type": "ended"})
                self._lock.notify_all()

    def remove(self, meeting_id: str, participant_id: str) -> None:
        with self._lock:
            room = self._rooms.get(meeting_id)
            if room and participant_id in room["people"]:
                self._remove(room, participant_id)

    # --- the browsers' side ---------------------------------------------------------------
    def _who(self, body: dict) -> tuple[dict, str]:
        room = self._rooms.get(body.get("meetingId") or "")
        pid = room["tokens"].get(body.get("token") or "") if room else None
        if room is None or pid is None:
            raise RelayError(404, "meeting_not_found", "会议不存在或链接已失效")
        if room["closed"]:
            raise RelayError(410, "meeting_ended", "视频调解已结束")
        if room["state"].get(pid) == "removed":
            raise RelayError(403, "removed", "您已被调解员移出会议")
        return room, pid

    def _post(self, room: dict, pid: str, message: dict) -> None:
        room["queues"][pid].append(message)

    def _admitted(self, room: dict) -> list[str]:
        return [p for p, s in room["state"].items() if s == "admitted"]

    def _remove(self, room: dict, pid: str) -> None:
        room["state"][pid] = "removed"
        room.setdefault("spent", {}).update({t: p for t, p in room["tokens"].items() if p == pid})
        room["tokens"] = {t: p for t, p in room["tokens"].items() if p != pid}
        self._post(room, pid, {"type": "removed"})
        for other in self._admitted(room):
            self._post(room, other, {"type": "peer-left", "peer": pid})
        self._lock.notify_all()

    def _admit(self, room: dict, pid: str) -> None:
        peers = [{"id": p, **room["people"][p]} for p in self._admitted(room)]
        room["state"][pid] = "admitted"
        self._post(room, pid, {"type": "admitted", "peers": peers})
        for p in peers:
            self._post(room, p["id"], {"type": "peer-joined", "peer": {"id": pid, **room["people"][pid]}})
        self._lock.notify_all()

    def join(self, body: dict) -> dict:
        with self._lock:
            room, pid = self._who(body)
            person = room["people"][pid]
            room["queues"][pid] = []  # a re-join starts afresh
            if person["role"] == "mediator":
                self._admit(room, pid)
            else:
                room["state"][pid] = "waiting"
                for m in self._admitted(room):
                    if room["people"][m]["role"] == "mediator":
                        self._post(room, m, {"type": "waiting", "peer": {"id": pid, **person}})
                self._lock.notify_all()
            return {"participantId": pid, "role": person["role"], "name": person["name"],
                    "state": room["state"][pid],
                    "waiting": [{"id": p, **room["people"][p]} for p, s in room["state"].items() if s == "waiting"]
                    if person["role"] == "mediator" else []}

    def poll(self, body: dict) -> dict:
        timeout = min(float(body.get("timeout") or MAX_WAIT), MAX_WAIT)
        end = time.monotonic() + timeout
        with self._lock:
            room, pid = self._who_or_removed(body)
            while not room["queues"][pid] and time.monotonic() < end and not room["closed"]:
                self._lock.wait(end - time.monotonic())
            messages, room["queues"][pid] = room["queues"][pid], []
            return {"messages": messages}

    def _who_or_removed(self, body: dict) -> tuple[dict, str]:
        """Polling still answers a removed or ended participant once, so they learn it."""
        room = self._rooms.get(body.get("meetingId") or "")
        if room is None:
            raise RelayError(404, "meeting_not_found", "会议不存在或链接已失效")
        token = body.get("token") or ""
        pid = room["tokens"].get(token) or room.get("spent", {}).get(token)
        if pid is None:
            raise RelayError(404, "meeting_not_found", "会议不存在或链接已失效")
        return room, pid

    def send(self, body: dict) -> dict:
        with self._lock:
            room, pid = self._who(body)
            to = body.get("to")
            if room["state"].get(pid) != "admitted" or room["state"].get(to) != "admitted":
                raise RelayError(409, "not_admitted", "尚未进入会议")
            self._post(room, to, {"type": "signal", "from": pid, "data": body.get("data")})
            self._lock.notify_all()
            return {"sent": True}

    def admit(self, body: dict) -> dict:
        with self._lock:
            room, pid = self._mediator(body)
            target = body.get("participantId")
            if room["state"].get(target) != "waiting":
                raise RelayError(409, "not_waiting", "该人员不在等候中")
            self._admit(room, target)
            return {"admitted": target}

    def expel(self, body: dict) -> dict:
        with self._lock:
            room, pid = self._mediator(body)
            target = body.get("participantId")
            if target not in room["people"] or target == pid:
                raise RelayError(400, "bad_participant", "请选择要移出的人员")
            self._remove(room, target)
            return {"removed": target}

    def leave(self, body: dict) -> dict:
        with self._lock:
            room, pid = self._who(body)
            room["state"][pid] = "left"
            for other in self._admitted(room):
                self._post(room, other, {"type": "peer-left", "peer": pid})
            self._lock.notify_all()
            return {"left": True}

    def _mediator(self, body: dict) -> tuple[dict, str]:
        room, pid = self._who(body)
        if room["people"][pid]["role"] != "mediator":
            raise RelayError(403, "mediator_only", "只有调解员可以操作")
        return room, pid

    def handle(self, action: str, raw: bytes) -> tuple[int, dict]:
        """One HTTP call of the relay: (status, JSON body)."""
        handlers = {"join": self.join, "poll": self.poll, "send": self.send, "admit": self.admit,
                    "remove": self.expel, "leave": self.leave}
        if action not in handlers:
            return 404, {"error": {"code": "no_such_endpoint", "message": "请求的接口不存在"}}
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return 400, {"error": {"code": "bad_request", "message": "请求有误"}}
        try:
            return 200, handlers[action](body)
        except RelayError as err:
            return err.status, {"error": {"code": err.code, "message": err.message}}


_relay: Relay | None = None
_relay_lock = threading.Lock()


def relay() -> Relay:
    global _relay
    with _relay_lock:
        if _relay is None:
            _relay = Relay()
        return _relay
