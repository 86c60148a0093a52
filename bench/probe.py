#!/usr/bin/env python3
"""Counts the SQL statements one request of each scenario runs, from the server's metrics.

For each request it reads `tt_sqlite_statements_total` from GET /metrics, sends the request once,
and reads the counter again; nothing else talks to the server meanwhile. A /metrics read with no
request in between is measured too (it should add 0); it is subtracted from every figure.

Prints and writes (--out) a JSON object: {"baseline": n, "statements": {scenario: n, ...},
"feed_items": n, "feed_bytes": n}. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import urllib.parse


def read_fields(data_dir: str, name: str) -> list[list[str]]:
    with open(os.path.join(data_dir, name), encoding="utf-8") as file:
        return [line.split() for line in file if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True)
    parser.add_argument("--data", required=True, help="the directory bench/seed.py wrote")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    parsed = urllib.parse.urlsplit(args.api)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def call(method: str, path: str, body: dict | None = None, token: str | None = None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    def statements() -> int:
        status, payload = call("GET", "/metrics")
        if status != 200:
            raise RuntimeError(f"GET /metrics answered {status}")
        for line in payload.decode().splitlines():
            if line.startswith("tt_sqlite_statements_total"):
                return int(float(line.split()[-1]))
        raise RuntimeError("no tt_sqlite_statements_total in /metrics")

    competitions = read_fields(args.data, "competitions.txt")
    athletes = read_fields(args.data, "athletes.txt")
    follower_id, follower_token = read_fields(args.data, "follower.txt")[0]
    _, organiser_token = read_fields(args.data, "organiser.txt")[0]
    today = dt.datetime.now(dt.timezone.utc).date()
    athlete_id, username, password, athlete_token = athletes[len(athletes) // 2]
    competition_id, start_date, _ = competitions[len(competitions) // 2]

    requests = {
        "get_by_id": ("GET", f"/competitions/{competition_id}", None, None),
        "batch_get_100": ("GET", "/competitions?ids=" + ",".join(c[0] for c in competitions[:100]),
                          None, None),
        "list_page": ("GET", f"/competitions?limit=50&from={today + dt.timedelta(days=100)}"
                             f"&to={today + dt.timedelta(days=130)}", None, None),
        "feed": ("GET", f"/users/{follower_id}/feed?limit=50", None, follower_token),
        "create_competition": ("POST", "/competitions", {
            "name": "Probe Meet", "location": "Oslo", "start_date": str(today + dt.timedelta(days=9)),
            "end_date": str(today + dt.timedelta(days=10))}, organiser_token),
        "add_event": ("POST", f"/athletes/{athlete_id}/events", {
            "competition_id": competition_id, "name": "probe heat",
            "date_time": f"{start_date}T12:00:00+02:00"}, athlete_token),
        "sign_in": ("POST", "/sessions", {"username": username, "password": password}, None),
    }

    before = statements()
    baseline = statements() - before
    result: dict = {"baseline": baseline, "statements": {}}
    for name, (method, path, body, token) in requests.items():
        before = statements()
        status, payload = call(method, path, body, token)
        if not 200 <= status <= 299:
            raise RuntimeError(f"{name}: {method} {path} answered {status}: {payload[:200]!r}")
        result["statements"][name] = statements() - before - baseline
        if name == "feed":
            result["feed_items"] = len(json.loads(payload)["items"])
            result["feed_bytes"] = len(payload)
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(result, file, indent=2)
    print("SQL statements per request: " +
          ", ".join(f"{k} {v}" for k, v in result["statements"].items()) +
          f" (a /metrics read alone: {baseline})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        print(f"probe failed: {error}", file=sys.stderr)
        sys.exit(1)
