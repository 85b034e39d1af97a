"""Generated bodies for both webhooks and the status callback, on SQLite and PostgreSQL alike:
never a 5xx, and every accepted message stored exactly once (a retry adds nothing).

``VECINO_FUZZ_EXAMPLES`` sets the number of examples per test (default 400: 1,600 bodies, and
a retry of about one accepted message in two; 10-20 s per database; raise it for a longer
hunt).
``--hypothesis-show-statistics`` shows how many were accepted and how many refused.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.models import Message

from ..conftest import PUBLIC_BASE_URL, twilio_signature
from ..telegram.conftest import SECRET

EXAMPLES = int(os.environ.get("VECINO_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the worktree; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every code point a form or JSON body can carry, controls and NUL included.
any_text = st.text(st.characters(codec="utf-8"), max_size=120)
nasty_text = st.one_of(
    any_text,
    st.sampled_from(["\x00", "a\x00b", "STOP\x00", "hola", "ALTO", "food 90057", "1", ""]),
    st.text(max_size=5).map(lambda s: s * 300),  # long
)
phones = st.from_regex(r"\A\+1[2-9][0-9]{9}\Z")
senders = st.one_of(  # mostly well-formed, so most requests go all the way to the database
    phones,
    phones,
    phones,
    phones.map(lambda p: "whatsapp:" + p),
    st.from_regex(r"\A\(?[2-9][0-9]{2}\)? ?[0-9]{3}-?[0-9]{4}\Z"),
    any_text,
    st.text(min_size=60, max_size=90),
)
sids = st.one_of(
    st.builds(lambda: "SM" + uuid.uuid4().hex),
    st.builds(lambda: "SM" + uuid.uuid4().hex),
    st.builds(lambda: "SM" + uuid.uuid4().hex),
    any_text,
    st.text(min_size=60, max_size=80),
)


def _rows(vecino, channel_in: tuple[str, ...], provider_id: str) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.channel.in_(channel_in), Message.provider_id == provider_id)
        )


def _total(vecino) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Message))


@st.composite
def twilio_forms(draw: st.DrawFn) -> dict[str, str]:
    form = {
        "MessageSid": draw(sids),
        "AccountSid": "AC" + "0" * 32,
        "From": draw(senders),
        "To": "+12135550000",
    }
    if draw(st.sampled_from([True, True, True, False])):  # most have a body
        form["Body"] = draw(nasty_text)
    if draw(st.booleans()):
        form["NumMedia"] = draw(st.one_of(st.integers(-5, 10**6).map(str), any_text))
    extra = draw(st.dictionaries(any_text, any_text, max_size=3))
    return {**extra, **form}


@FUZZ
@given(form=twilio_forms(), retry=st.booleans())
def test_twilio_inbound_never_fails_and_stores_each_message_once(client, vecino, form, retry):  # type: ignore[no-untyped-def]
    url = PUBLIC_BASE_URL + "/webhooks/twilio"
    headers = {"X-Twilio-Signature": twilio_signature(url, form)}
    before = _total(vecino)
    response = client.post("/webhooks/twilio", data=form, headers=headers)
    event(f"status {response.status_code}: {response.get_data(as_text=True)[:30]}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    sid = form["MessageSid"].strip()
    if response.status_code == 400:
        assert _total(vecino) == before
        return
    # Provider ids are unique per channel: the same sid on SMS and WhatsApp is two messages.
    channel = "whatsapp" if form["From"].strip().lower().startswith("whatsapp:") else "sms"
    assert _rows(vecino, (channel,), sid) == 1
    if retry:
        again = client.post("/webhooks/twilio", data=form, headers=headers)
        assert again.status_code == 200
        assert again.get_data() == response.get_data()
        assert _rows(vecino, (channel,), sid) == 1


statuses = st.one_of(
    st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read", "SENT"]),
    any_text,
)


@FUZZ
@given(
    sid=st.one_of(st.just("SMknown0000"), st.just("SMknown0000"), sids),
    status=statuses,
    error=st.one_of(st.none(), st.sampled_from(["21610", "30003"]), any_text),
    key=st.sampled_from(["MessageSid", "SmsSid"]),
)
def test_twilio_status_callback_never_fails(client, vecino, sid, status, error, key):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        if _rows(vecino, ("sms",), "SMknown0000") == 0:
            from bot.models import Contact

            contact = Contact(channel="sms", address="+12135550199")
            session.add(contact)
            session.flush()
            session.add(
                Message(
                    contact_id=contact.id,
                    channel="sms",
                    direction="out",
                    provider_id="SMknown0000",
                    body="hi",
                    status="sent",
                )
            )
    form = {key: sid, "MessageStatus": status, "To": "+12135550199"}
    if error is not None:
        form["ErrorCode"] = error
    url = PUBLIC_BASE_URL + "/webhooks/twilio/status"
    before = _total(vecino)
    response = client.post(
        "/webhooks/twilio/status",
        data=form,
        headers={"X-Twilio-Signature": twilio_signature(url, form)},
    )
    event(f"status {response.status_code}: {response.get_data(as_text=True)[:20]}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    assert _total(vecino) == before  # a receipt never creates or removes a message


raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda b, parts: (
            b"".join(
                f"--{b}\r\nContent-Disposition: {d}\r\n\r\n".encode() + v + b"\r\n"
                for d, v in parts
            )
            + f"--{b}--\r\n".encode()
        ),
        st.just("XyZ"),
        st.lists(
            st.tuples(
                st.sampled_from(
                    [
                        "form-data",
                        'form-data; name="From"',
                        'form-data; name=""',
                        'form-data; filename="a"',
                        "attachment",
                    ]
                ),
                st.binary(max_size=30),
            ),
            max_size=4,
        ),
    ),
)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=XyZ",
        "multipart/form-data",
        "application/json",
        "text/plain",
        "",
    ]
)


@FUZZ
@given(
    path=st.sampled_from(["/webhooks/twilio", "/webhooks/twilio/status", "/webhooks/telegram"]),
    body=raw_bodies,
    content_type=content_types,
    signed=st.booleans(),
)
def test_raw_bodies_of_any_type_never_fail(client, vecino, path, body, content_type, signed):  # type: ignore[no-untyped-def]
    headers = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"} if signed else {}
    if path == "/webhooks/telegram" and signed:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    before = _total(vecino)
    response = client.post(path, data=body, headers=headers, content_type=content_type)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400, 403), (response.status_code, response.get_data())
    assert _total(vecino) == before


# ---- Telegram -------------------------------------------------------------------------------

update_ids = iter(range(800_000_000, 900_000_000))
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.sampled_from([34.05, -118.25, 0, True, "34.0", None]),
)
json_leaves = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def telegram_updates(draw: st.DrawFn) -> dict[str, Any]:
    chat_id = draw(st.one_of(st.integers(1, 10**10), st.integers(-(2**60), 2**60), any_text))
    chat = {"id": chat_id, "type": draw(st.sampled_from(["private", "private", "group", "x"]))}
    message: dict[str, Any] = {"message_id": 1, "date": 1_700_000_000, "chat": chat}
    kind = draw(st.sampled_from(["text", "text", "location", "caption", "command", "junk"]))
    if kind == "text":
        message["text"] = draw(nasty_text)
    elif kind == "command":
        message["text"] = draw(st.sampled_from(["/start", "/stop", "/lang", "/start "])) + draw(
            any_text
        )
    elif kind == "location":
        message["location"] = {"latitude": draw(numbers), "longitude": draw(numbers)}
    elif kind == "caption":
        message["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
        message["caption"] = draw(nasty_text)
    else:
        message.update(draw(st.dictionaries(any_text, json_values, max_size=3)))
    field = draw(st.sampled_from(["message", "message", "edited_message", "callback_query"]))
    if field == "callback_query":
        content: dict[str, Any] = {
            "id": "cb",
            "from": {"id": 1, "is_bot": False, "first_name": "V"},
            "chat_instance": "1",
            "data": draw(any_text),
            "message": message,
        }
    else:
        content = message
    return {"update_id": next(update_ids), field: content}


@FUZZ
@given(update=telegram_updates(), retry=st.booleans())
def test_telegram_updates_never_fail_and_are_stored_once(client, vecino, bot_api, update, retry):  # type: ignore[no-untyped-def]
    body = json.dumps(update).encode()  # NaN and Infinity as Python writes them
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    before = _total(vecino)
    response = client.post(
        "/webhooks/telegram", data=body, headers=headers, content_type="application/json"
    )
    text = response.get_data(as_text=True)
    event(f"status {response.status_code}: {text[:22]}")
    assert response.status_code in (200, 400), text
    provider_id = f"u{update['update_id']}"
    if response.status_code == 400 or not text.startswith("OK: answered"):
        assert _rows(vecino, ("telegram",), provider_id) == 0
        if response.status_code == 400:
            assert _total(vecino) == before
        return
    assert _rows(vecino, ("telegram",), provider_id) == 1
    if retry:
        again = client.post(
            "/webhooks/telegram", data=body, headers=headers, content_type="application/json"
        )
        assert again.status_code == 200
        assert again.get_data(as_text=True) == "OK: duplicate\n"
        assert _rows(vecino, ("telegram",), provider_id) == 1
