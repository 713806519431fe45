"""Video meetings of mediation sessions (视频调解), behind one interface:

- `ChimeMeetings`: Amazon Chime SDK meetings (`chime-sdk-meetings`): CreateMeeting with the
  session id as ExternalMeetingId (and as the idempotency token), one CreateAttendee per
  participant, DeleteAttendee to remove one, DeleteMeeting when the session ends.
- `LocalMeetings`: the local runtime has no Chime (moto has none either); its meetings are
  rooms of the local WebRTC relay (`chalicelib/adapters/local/meetings.py`): the browsers
  connect peer to peer and the local server only passes their signalling messages.

Both return the same record, stored on the session: `{provider, meetingId, attendees: {pid:
{attendeeId, joinToken}}, media?}`. The join token is what a browser needs to join as that
participant; it is handed out only to a mediator (staff token) or a party who proved the
phone with the one-time code.
"""
from __future__ import annotations

import os
import secrets

from .. import settings
from .aws import client

# ExternalUserId must be 2–64 characters; the session id and participant id fit.
_EXTERNAL_USER = "{session}#{participant}"


class ChimeMeetings:
    provider = "chime"

    def __init__(self, region: str | None = None, chime_client=None):
        self.region = region or os.environ.get("CHIME_MEDIA_REGION") or settings.REGION
        self._client = chime_client

    def _chime(self):
        return self._client or client("chime-sdk-meetings")

    def open(self, session: dict) -> dict:
        """A meeting for the session and an attendee for every participant. A retried start
        gets the same meeting back (ClientRequestToken = session id)."""
        chime = self._chime()
        meeting = chime.create_meeting(ClientRequestToken=session["sessionId"], MediaRegion=self.region,
                                       ExternalMeetingId=session["sessionId"])["Meeting"]
        attendees = {}
        for p in session["participants"]:
            a = chime.create_attendee(
                MeetingId=meeting["MeetingId"],
                ExternalUserId=_EXTERNAL_USER.format(session=session["sessionId"], participant=p["id"]))["Attendee"]
            attendees[p["id"]] = {"attendeeId": a["AttendeeId"], "joinToken": a["JoinToken"]}
        return {"provider": self.provider, "meetingId": meeting["MeetingId"],
                "media": {"MeetingId": meeting["MeetingId"], "ExternalMeetingId": meeting.get("ExternalMeetingId"),
                          "MediaRegion": meeting.get("MediaRegion"),
                          "MediaPlacement": meeting.get("MediaPlacement", {})},
                "attendees": attendees}

    def remove(self, meeting: dict, participant_id: str) -> None:
        """The mediator removes someone: their attendee is deleted, so their join token dies."""
        attendee = meeting["attendees"].get(participant_id)
        if attendee:
            self._chime().delete_attendee(MeetingId=meeting["meetingId"], AttendeeId=attendee["attendeeId"])

    def close(self, meeting: dict) -> None:
        chime = self._chime()
        try:
            chime.delete_meeting(MeetingId=meeting["meetingId"])
        except chime.exceptions.NotFoundException:
            pass  # already ended (Chime also ends a meeting nobody joined after 5 minutes)


class LocalMeetings:
    """Rooms of the local WebRTC relay: ids and join tokens made here, the relay admits by
    token. No AWS call."""
    provider = "local"

    def __init__(self, relay=None):
        self._relay = relay

    def relay(self):
        if self._relay is None:
            from .local.meetings import relay
            self._relay = relay()
        return self._relay

    def open(self, session: dict) -> dict:
        attendees = {p["id"]: {"attendeeId": f"{session['sessionId']}-{p['id']}",
                               "joinToken": secrets.token_urlsafe(24)} for p in session["participants"]}
        meeting = {"provider": self.provider, "meetingId": session["sessionId"], "attendees": attendees}
        self.relay().open(meeting, {p["id"]: p for p in session["participants"]})
        return meeting

    def remove(self, meeting: dict, participant_id: str) -> None:
        self.relay().remove(meeting["meetingId"], participant_id)

    def close(self, meeting: dict) -> None:
        self.relay().close(meeting["meetingId"])


def for_stage():
    """Chime in the cloud; the local relay on the local stage (and in tests)."""
    return LocalMeetings() if settings.is_local() else ChimeMeetings()
