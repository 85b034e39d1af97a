"""The baseline for bench/webhook.py: a Flask endpoint that returns fixed TwiML, nothing else."""

from flask import Flask, Response

app = Flask(__name__)
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hi</Message></Response>'


@app.post("/webhooks/twilio")
def inbound() -> Response:
    return Response(TWIML, mimetype="text/xml")
