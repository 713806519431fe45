"""Staff notifications: SMS through SNS and warning phone calls through a voice gateway
(Amazon Pinpoint SMS and Voice v2 on AWS; the outbox folder locally, where moto has none)."""
from __future__ import annotations

import json
import logging
import os
import time
import uuid
from pathlib import Path

from .. import settings
from .aws import client

logger = logging.getLogger(__name__)


class Notifier:
    def sms(self, mobile: str, text: str) -> None:
        client("sns").publish(PhoneNumber=f"+86{mobile}", Message=text,
                              MessageAttributes={"AWS.SNS.SMS.SMSType": {
                                  "DataType": "String", "StringValue": "Transactional"}})

    def call(self, mobile: str, text: str) -> None:
        folder = os.environ.get("JIEYOU_OUTBOX_DIR")
        if settings.is_local() and folder:
            path = Path(folder) / f"call-{uuid.uuid4().hex}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"id": path.stem[5:], "channel": "call", "to": [f"+86{mobile}"],
                                        "body": text, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                                       ensure_ascii=False), encoding="utf-8")
            return
        origin = os.environ.get("VOICE_ORIGINATION_NUMBER")
        if not origin:
            logger.warning("no voice origination number configured; call not placed")
            return
        client("pinpoint-sms-voice-v2").send_voice_message(
            DestinationPhoneNumber=f"+86{mobile}", OriginationIdentity=origin,
            MessageBody=text, MessageBodyTextType="TEXT", VoiceId="ZHIYU")
