"""The Chime SDK adapter, every call checked by botocore's Stubber against the real
chime-sdk-meetings service model (moto has no Chime)."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.adapters.meetings import ChimeMeetings

SESSION = {"sessionId": "1796090400a1b2c3d4", "participants": [
    {"id": "p1", "role": "mediator", "name": "赵调解"},
    {"id": "p2", "role": "party", "name": "李春花", "phone": "13812345678"},
    {"id": "p3", "role": "party", "name": "王大山", "phone": "13987654321"},
    {"id": "p4", "role": "unit", "name": "北湖区人社局", "unitId": "dept-431002-hrss"}]}
MEETING_ID = "6a1f0bc5-6d5c-4b8e-9f57-2f1c3e2a1b00"
PLACEMENT = {"AudioHostUrl": "abc.k.m1.ue1.app.chime.aws:3478",
             "AudioFallbackUrl": "wss://haxrp.m1.ue1.app.chime.aws:443/calls/x",
             "SignalingUrl": "wss://signal.m1.ue1.app.chime.aws/control/x",
             "TurnControlUrl": "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
             "EventIngestionUrl": "https://data.svc.ue1.ingest.chime.aws/v1/client-events"}


@pytest.fixture
def chime():
    client = boto3.client("chime-sdk-meetings", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_a_session_becomes_a_meeting_with_one_attendee_per_participant(chime):
    client, stub = chime
    stub.add_response("create_meeting", {"Meeting": {
        "MeetingId": MEETING_ID, "ExternalMeetingId": SESSION["sessionId"], "MediaRegion": "ap-southeast-1",
        "MediaPlacement": PLACEMENT}},
        {"ClientRequestToken": SESSION["sessionId"], "MediaRegion": "ap-southeast-1",
         "ExternalMeetingId": SESSION["sessionId"]})
    for p in SESSION["participants"]:
        stub.add_response("create_attendee", {"Attendee": {
            "ExternalUserId": f"{SESSION['sessionId']}#{p['id']}", "AttendeeId": f"att-{p['id']}-0000-0000",
            "JoinToken": f"token-{p['id']}"}},
            {"MeetingId": MEETING_ID, "ExternalUserId": f"{SESSION['sessionId']}#{p['id']}"})
    meeting = ChimeMeetings(region="ap-southeast-1", chime_client=client).open(SESSION)
    assert meeting["provider"] == "chime" and meeting["meetingId"] == MEETING_ID
    assert meeting["media"]["MediaPlacement"]["SignalingUrl"] == PLACEMENT["SignalingUrl"]
    assert meeting["attendees"] == {p["id"]: {"attendeeId": f"att-{p['id']}-0000-0000", "joinToken": f"token-{p['id']}"}
                                    for p in SESSION["participants"]}


def test_removing_a_participant_deletes_their_attendee(chime):
    client, stub = chime
    meeting = {"provider": "chime", "meetingId": MEETING_ID,
               "attendees": {"p3": {"attendeeId": "att-p3-0000-0000", "joinToken": "t"}}}
    stub.add_response("delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": "att-p3-0000-0000"})
    ChimeMeetings(chime_client=client).remove(meeting, "p3")


def test_ending_the_session_deletes_the_meeting_even_if_chime_already_ended_it(chime):
    client, stub = chime
    stub.add_response("delete_meeting", {}, {"MeetingId": MEETING_ID})
    stub.add_client_error("delete_meeting", "NotFoundException", http_status_code=404,
                          expected_params={"MeetingId": MEETING_ID})
    adapter = ChimeMeetings(chime_client=client)
    adapter.close({"meetingId": MEETING_ID})
    adapter.close({"meetingId": MEETING_ID})  # a second end is not an error


def test_a_chime_failure_is_not_swallowed(chime):
    client, stub = chime
    stub.add_client_error("create_meeting", "ServiceUnavailableException", http_status_code=503)
    with pytest.raises(client.exceptions.ServiceUnavailableException):
        ChimeMeetings(chime_client=client).open(SESSION)
