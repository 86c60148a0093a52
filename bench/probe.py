#!/usr/bin/env python3
"""Counts the SQL statements or DynamoDB calls one request of each scenario makes, from /metrics.

For each request it reads the store's counters from GET /metrics, sends the request once, and
reads them again; nothing else talks to the server meanwhile. The counters are
`tt_sqlite_statements_total` (SQLite) and `tt_dynamodb_calls_total` (DynamoDB; retries included,
every line of it summed whatever its labels), each when present. A /metrics read with no request
in between is measured too (it should add 0); it is subtracted from every figure.

Prints and writes (--out) a JSON object: {"baseline": n, "statements": {scenario: n, ...},
"dynamodb_baseline": n, "dynamodb_calls": {scenario: n, ...}, "feed_items": n, "feed_bytes": n},
with the keys of the counters the server exports. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import urllib.parse


# Output key: the Prometheus counter it comes from.
COUNTERS = {"statements": "tt_sqlite_statements_total", "dynamodb_calls": "tt_dynamodb_calls_total"}
BASELINE_KEYS = {"statements": "baseline", "dynamodb_calls": "dynamodb_baseline"}


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

    def counters() -> dict[str, int]:
        """The counters present, by output key, each summed over its label lines."""
        status, payload = call("GET", "/metrics")
        if status != 200:
            raise RuntimeError(f"GET /metrics answered {status}")
        found: dict[str, int] = {}
        for line in payload.decode().splitlines():
            for key, metric in COUNTERS.items():
                # `name value` or `name{labels} value`, not another metric named name_...
                if line.startswith(metric) and line[len(metric):][:1] in (" ", "{"):
                    found[key] = found.get(key, 0) + int(float(line.split()[-1]))
        if not found:
            raise RuntimeError("neither of " + ", ".join(COUNTERS.values()) + " in /metrics")
        return found

    competitions = read_fields(args.data, "competitions.txt")
    athletes = read_fields(args.data, "athletes.txt")
    follower_id, follower_token = read_fields(args.data, "follower.txt")[0]
    _, organiser_token = read_fields(args.data, "organiser.txt")[0]
    today = dt.datetime.now(dt.timezone.utc).date()
    athlete_id, username, password, athlete_token = athletes[len(athletes) // 2]
    competition_id, start_date, _ = competitions[len(competitions) // 2]

    follower_200 = (read_fields(args.data, "follower_200.txt")[0]
                    if os.path.exists(os.path.join(args.data, "follower_200.txt")) else None)
    requests = {
        "get_by_id": ("GET", f"/competitions/{competition_id}", None, None),
        "batch_get_100": ("GET", "/competitions?ids=" + ",".join(c[0] for c in competitions[:100]),
                          None, None),
        "list_page": ("GET", f"/competitions?limit=50&from={today + dt.timedelta(days=100)}"
                             f"&to={today + dt.timedelta(days=130)}", None, None),
        "feed": ("GET", f"/users/{follower_id}/feed?limit=50", None, follower_token),
        **({"feed_200": ("GET", f"/users/{follower_200[0]}/feed?limit=50", None, follower_200[1])}
           if follower_200 else {}),
        "create_competition": ("POST", "/competitions", {
            "name": "Probe Meet", "location": "Oslo", "start_date": str(today + dt.timedelta(days=9)),
            "end_date": str(today + dt.timedelta(days=10))}, organiser_token),
        "add_event": ("POST", f"/athletes/{athlete_id}/events", {
            "competition_id": competition_id, "name": "probe heat",
            "date_time": f"{start_date}T12:00:00+02:00"}, athlete_token),
        "sign_in": ("POST", "/sessions", {"username": username, "password": password}, None),
    }

    def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
        return {key: after.get(key, 0) - value for key, value in before.items()}

    before = counters()
    baselines = delta(before, counters())
    result: dict = {}
    for key in baselines:
        result[BASELINE_KEYS[key]] = baselines[key]
        result[key] = {}
    for name, (method, path, body, token) in requests.items():
        before = counters()
        status, payload = call(method, path, body, token)
        if not 200 <= status <= 299:
            raise RuntimeError(f"{name}: {method} {path} answered {status}: {payload[:200]!r}")
        for key, value in delta(before, counters()).items():
            result[key][name] = value - baselines[key]
        if name == "feed":
            result["feed_items"] = len(json.loads(payload)["items"])
            result["feed_bytes"] = len(payload)
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(result, file, indent=2)
    labels = {"statements": "SQL statements", "dynamodb_calls": "DynamoDB calls"}
    for key in baselines:
        print(f"{labels[key]} per request: " +
              ", ".join(f"{k} {v}" for k, v in result[key].items()) +
              f" (a /metrics read alone: {baselines[key]})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        print(f"probe failed: {error}", file=sys.stderr)
        sys.exit(1)
