#!/usr/bin/env python3
"""A webhook receiver for the integration tests, independent of the server's C++ code.

It verifies each delivery's Standard Webhooks signature with Python's own hmac and hashlib
(https://www.standardwebhooks.com: base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>"
under the key that follows "whsec_"), and appends one JSON line per request to the log file:
  {"id", "timestamp", "signature", "valid_for", "body", "status", "path", "received_at"}
`valid_for` lists the index of each secret (in the control file's order) that one of the
space-separated `v1,` signatures matches.

It is driven through a control file the test writes, re-read on every request:
  {"secrets": ["whsec_..."], "status": 200, "delay": 0.0, "statuses": [500, 200]}
`statuses`, when given, are answered in turn (then `status`); `delay` is how long to wait
before answering (a delay longer than the server's timeout makes a receiver that never answers).

Usage: receiver.py PORT_FILE LOG_FILE CONTROL_FILE
It listens on 127.0.0.1 on a free port and writes that port to PORT_FILE once listening.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import socketserver
import sys
import threading
import time

port_file, log_file, control_file = sys.argv[1:4]
lock = threading.Lock()
answered = 0


def control():
    try:
        with open(control_file) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def key_of(secret):
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret)


def verify(secrets, msg_id, timestamp, body, signature_header):
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    valid_for = []
    for index, secret in enumerate(secrets):
        expected = base64.b64encode(hmac.new(key_of(secret), signed, hashlib.sha256).digest())
        for signature in signature_header.split(" "):
            version, _, value = signature.partition(",")
            if version == "v1" and hmac.compare_digest(value.encode(), expected):
                valid_for.append(index)
                break
    return valid_for


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        global answered
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        settings = control()
        with lock:
            statuses = settings.get("statuses", [])
            status = statuses[answered] if answered < len(statuses) else settings.get("status", 200)
            answered += 1
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        signature = self.headers.get("webhook-signature", "")
        record = {
            "id": msg_id,
            "timestamp": timestamp,
            "signature": signature,
            "valid_for": verify(settings.get("secrets", []), msg_id, timestamp, body, signature),
            "body": body.decode("utf-8", "replace"),
            "status": status,
            "path": self.path,
            "received_at": time.time(),
        }
        with lock:
            with open(log_file, "a") as f:
                f.write(json.dumps(record) + "\n")
        delay = float(settings.get("delay", 0))
        if delay > 0:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", int(os.environ.get("RECEIVER_PORT", "0"))), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
