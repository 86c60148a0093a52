#!/usr/bin/env python3
"""Seeds a running Track Tracker server for the benchmarks, through its HTTP API only.

At scale 1 (BENCH_SCALE, or --scale) it creates:
  - one organiser user who creates 2,000 competitions spread over the next year;
  - 1,000 athletes: each a user who signs up, signs in and POSTs /athletes, then adds 20 upcoming
    events (--events-per-athlete, BENCH_EVENTS_PER_ATHLETE), each at a competition whose dates
    contain the event's local day, with date-times in varied UTC offsets (20,000 events). The
    competitions of one athlete's events are all different while there are enough; beyond, each
    competition gets one more event of that athlete per pass (1,000 events per athlete at
    scale 1: half the competitions, one each; 5,000: each competition 2 or 3);
  - one follower user who follows all 1,000 athletes;
  - a second follower who follows 200 of them (FOLLOWS_200; all of them when fewer were seeded),
    chosen at random, for the feed_200 scenario.

Counts scale with --scale (competitions and athletes; the events per athlete do not). Sign-ups
and sign-ins each cost an Argon2id hash on the server, so they are sent from a pool of client
threads (--workers, BENCH_SEED_WORKERS); a 503 from the bounded hashing pool is retried after
its Retry-After. The events are sent once every athlete exists, by more threads
(--event-workers, BENCH_SEED_EVENT_WORKERS: concurrent writes share the server's group commits),
each with a keep-alive connection and a lean HTTP/1.1 client (http.client's overhead would
matter at a million events).

It writes the ids and tokens the wrk scripts need into --out:
  competitions.txt   id start_date end_date           (one competition a line)
  athletes.txt       id username password token       (one athlete a line)
  follower.txt       id token                          (the follower of every athlete)
  follower_200.txt   id token                          (the follower of 200)
  organiser.txt      id token
  seed.json          counts, timings and retries

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

PASSWORD = "bench-password-1"
EVENTS_PER_ATHLETE = 20  # the default of --events-per-athlete
FOLLOWS_200 = 200  # the athletes the second follower follows (feed_200)

# (location, UTC offset as RFC 3339 suffix): events are written in the venue's offset.
VENUES = [
    ("Eugene, OR", "-07:00"),
    ("Oslo", "+02:00"),
    ("Tokyo", "+09:00"),
    ("Nairobi", "+03:00"),
    ("Doha", "+03:00"),
    ("Paris", "+02:00"),
    ("Kingston", "-05:00"),
    ("Melbourne", "+10:00"),
    ("London", "Z"),
    ("Rabat", "+01:00"),
    ("Zurich", "+02:00"),
    ("Shanghai", "+08:00"),
    ("Rio de Janeiro", "-03:00"),
    ("New Delhi", "+05:30"),
    ("Honolulu", "-10:00"),
    ("Auckland", "+12:00"),
]
DISCIPLINES = ["100m", "200m", "400m", "800m", "1500m", "5000m", "10000m", "110mH", "400mH",
               "3000mSC", "high jump", "pole vault", "long jump", "triple jump", "shot put",
               "discus", "hammer", "javelin", "decathlon", "heptathlon", "marathon"]
COUNTRIES = ["KEN", "ETH", "USA", "JAM", "NOR", "GBR", "FRA", "JPN", "AUS", "BRA", "MAR", "SWE",
             "NLD", "CAN", "DEU", "ITA", "ESP", "POL", "CHN", "IND"]


class HttpError(Exception):
    pass


class Client:
    """One keep-alive connection per thread; retries 503 (hashing pool full) after Retry-After."""

    def __init__(self, base_url: str, stats: "Stats"):
        parsed = urllib.parse.urlsplit(base_url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 80
        self.stats = stats
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.local.connection = connection
        return connection

    def request(self, method: str, path: str, body=None, token: str | None = None,
                expect=(200, 201, 204)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        for attempt in range(20):
            connection = self._connection()
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.HTTPException, OSError):
                # A closed keep-alive connection: reconnect and try again.
                connection.close()
                self.local.connection = None
                if attempt >= 3:
                    raise
                continue
            if response.status == 503:
                self.stats.add("retries_503")
                time.sleep(float(response.getheader("Retry-After", "1") or 1))
                continue
            if response.status not in expect:
                raise HttpError(f"{method} {path} answered {response.status}: "
                                f"{payload[:300].decode(errors='replace')}")
            return json.loads(payload) if payload else None
        raise HttpError(f"{method} {path}: still 503 after 20 attempts")


class LeanConnection:
    """A minimal keep-alive HTTP/1.1 client for the many small POSTs of the events: one socket,
    answers read by Content-Length; reconnects when the server closed the connection, retries a
    503 after its Retry-After. Used by one thread at a time."""

    def __init__(self, host: str, port: int, stats: "Stats"):
        self.host, self.port, self.stats = host, port, stats
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _connect(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def _read_response(self, sock: socket.socket) -> tuple[int, dict[bytes, bytes], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" not in headers:
            raise HttpError(f"an answer without Content-Length: {head[:300]!r}")
        length = int(headers[b"content-length"])
        while len(self.buffer) < length:
            chunk = sock.recv(max(65536, length - len(self.buffer)))
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, headers, body

    def post(self, path: str, body: bytes, token: str, expect=(200, 201)) -> bytes:
        request = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        for attempt in range(20):
            try:
                sock = self._connect()
                sock.sendall(request)
                status, headers, payload = self._read_response(sock)
            except OSError:
                # A closed keep-alive connection: reconnect and try again.
                self.close()
                if attempt >= 3:
                    raise
                continue
            if status == 503:
                self.stats.add("retries_503")
                time.sleep(float(headers.get(b"retry-after", b"1") or 1))
                continue
            if status not in expect:
                raise HttpError(f"POST {path} answered {status}: "
                                f"{payload[:300].decode(errors='replace')}")
            return payload
        raise HttpError(f"POST {path}: still 503 after 20 attempts")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def add(self, key: str, n: int = 1) -> int:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n
            return self.counts[key]


class Progress:
    """Prints `label: done/total (rate/s)` at most every `every` seconds, and at the end."""

    def __init__(self, label: str, total: int, every: float = 5.0):
        self.label, self.total, self.every = label, total, every
        self.done = 0
        self.start = self.last = time.monotonic()
        self.lock = threading.Lock()

    def tick(self, n: int = 1):
        with self.lock:
            self.done += n
            now = time.monotonic()
            if self.done == self.total or now - self.last >= self.every:
                self.last = now
                rate = self.done / max(now - self.start, 1e-9)
                print(f"  {self.label}: {self.done}/{self.total} ({rate:.0f}/s, "
                      f"{now - self.start:.0f} s)", flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def run_parallel(workers: int, function, items, progress: Progress):
    def wrapped(item):
        result = function(item)
        progress.tick()
        return result

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(wrapped, items))


def sign_up_and_in(client: Client, username: str, display_name: str) -> tuple[str, str]:
    user = client.request("POST", "/users", {"username": username, "password": PASSWORD,
                                             "display_name": display_name})
    session = client.request("POST", "/sessions", {"username": username, "password": PASSWORD})
    return user["id"], session["token"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--out", required=True, help="directory for the id and token files")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_SEED_WORKERS",
                                                                          "12")))
    parser.add_argument("--event-workers", type=int,
                        default=int(os.environ.get("BENCH_SEED_EVENT_WORKERS", "64")))
    parser.add_argument("--events-per-athlete", type=int,
                        default=int(os.environ.get("BENCH_EVENTS_PER_ATHLETE",
                                                   str(EVENTS_PER_ATHLETE))))
    parser.add_argument("--seed", type=int, default=20270704, help="random seed")
    args = parser.parse_args()
    if args.events_per_athlete < 0 or args.workers < 1 or args.event_workers < 1:
        parser.error("--events-per-athlete must be >= 0, --workers and --event-workers >= 1")

    n_competitions = max(20, round(2000 * args.scale))
    n_athletes = max(5, round(1000 * args.scale))
    events_each = args.events_per_athlete
    rng = random.Random(args.seed)
    stats = Stats()
    client = Client(args.api, stats)
    os.makedirs(args.out, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.monotonic()
    # "Upcoming": the first competition starts two days from now, so that no event's instant
    # is in the past whatever its offset.
    today = dt.datetime.now(dt.timezone.utc).date()
    run_tag = format(int(time.time()) % 100000, "05d")

    print(f"seeding {n_competitions} competitions, {n_athletes} athletes x {events_each} events, "
          f"2 followers; {args.workers} client threads ({args.event_workers} for the events)",
          flush=True)

    # --- Organiser and competitions --------------------------------------------------------
    organiser_id, organiser_token = sign_up_and_in(client, f"organiser_{run_tag}", "Organiser")
    competition_specs = []
    for i in range(n_competitions):
        start = today + dt.timedelta(days=2 + (i * 363) // n_competitions)
        length = rng.choice([0, 0, 0, 1, 1, 2])  # most meets last one or two days
        location, offset = VENUES[rng.randrange(len(VENUES))]
        competition_specs.append({
            "body": {
                "name": f"Bench Meet {i:05d}",
                "location": location,
                "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=length)).isoformat(),
                "description": "A competition created by bench/seed.py.",
                "url": f"https://example.org/meets/{i}",
            },
            "offset": offset,
        })

    def create_competition(spec):
        created = client.request("POST", "/competitions", spec["body"], token=organiser_token)
        return {"id": created["id"], "start_date": created["start_date"],
                "end_date": created["end_date"], "offset": spec["offset"]}

    progress = Progress("competitions", n_competitions)
    competitions = run_parallel(args.workers, create_competition, competition_specs, progress)
    timings["competitions_s"] = progress.elapsed()

    # --- Athletes, then their events ------------------------------------------------------
    def create_athlete(index: int):
        local_rng = random.Random(args.seed * 1_000_003 + index)
        username = f"athlete_{run_tag}_{index:05d}"
        athlete_id, token = sign_up_and_in(client, username, f"Athlete {index}")
        client.request("POST", "/athletes", {
            "first_name": f"First{index:05d}",
            "last_name": f"Last{local_rng.randrange(100000):05d}",
            "country": local_rng.choice(COUNTRIES),
            "disciplines": local_rng.sample(DISCIPLINES, 2),
            "bio": "An athlete created by bench/seed.py.",
        }, token=token)
        # local_rng goes on to choose the events, in the same order as when they were sent here.
        return {"id": athlete_id, "username": username, "token": token, "rng": local_rng}

    progress = Progress("athletes (sign-up, sign-in, profile)", n_athletes)
    athletes = run_parallel(args.workers, create_athlete, range(n_athletes), progress)
    timings["athletes_s"] = progress.elapsed()

    def event_bodies(athlete):
        """The athlete's events as JSON bodies: distinct competitions while there are enough,
        then another pass over them (a fresh random order each pass)."""
        local_rng = athlete["rng"]
        chosen = []
        while len(chosen) < events_each:
            chosen += local_rng.sample(competitions,
                                       min(events_each - len(chosen), len(competitions)))
        for number, competition in enumerate(chosen):
            start = dt.date.fromisoformat(competition["start_date"])
            end = dt.date.fromisoformat(competition["end_date"])
            day = start + dt.timedelta(days=local_rng.randrange((end - start).days + 1))
            moment = f"{day.isoformat()}T{local_rng.randrange(9, 22):02d}:" \
                     f"{local_rng.choice([0, 15, 30, 45]):02d}:00{competition['offset']}"
            yield json.dumps({
                "competition_id": competition["id"],
                "name": f"{local_rng.choice(DISCIPLINES)} round {number % 3 + 1}",
                "date_time": moment,
            }).encode()

    lean = threading.local()

    def add_events(athlete):
        connection = getattr(lean, "connection", None)
        if connection is None:
            connection = lean.connection = LeanConnection(client.host, client.port, stats)
        path = f"/athletes/{athlete['id']}/events"
        sent = 0
        for body in event_bodies(athlete):
            connection.post(path, body, athlete["token"])
            sent += 1
            if sent % 100 == 0:
                events_progress.tick(100)
        if sent % 100:
            events_progress.tick(sent % 100)
        stats.add("events", sent)

    events_progress = Progress("events", n_athletes * events_each)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.event_workers) as pool:
        list(pool.map(add_events, athletes))
    timings["events_s"] = events_progress.elapsed()

    # --- The follower -----------------------------------------------------------------------
    follower_id, follower_token = sign_up_and_in(client, f"follower_{run_tag}", "Follower")

    def follow(athlete):
        client.request("PUT", f"/users/{follower_id}/following/{athlete['id']}",
                       token=follower_token)

    progress = Progress("follows", n_athletes)
    run_parallel(args.workers, follow, athletes, progress)
    timings["follows_s"] = progress.elapsed()

    # --- The follower of 200 (its own random choice, so the data above stays as it was) -----
    follower_200_id, follower_200_token = sign_up_and_in(client, f"follower200_{run_tag}",
                                                         "Follower of 200")
    followed_200 = random.Random(args.seed + FOLLOWS_200).sample(
        athletes, min(FOLLOWS_200, len(athletes)))

    def follow_200(athlete):
        client.request("PUT", f"/users/{follower_200_id}/following/{athlete['id']}",
                       token=follower_200_token)

    progress = Progress("follows of the follower of 200", len(followed_200))
    run_parallel(args.workers, follow_200, followed_200, progress)
    timings["follows_200_s"] = progress.elapsed()
    timings["total_s"] = time.monotonic() - started

    # --- Files for the wrk scripts ----------------------------------------------------------
    def write_lines(name: str, lines):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as file:
            for line in lines:
                file.write(line + "\n")

    write_lines("competitions.txt",
                (f"{c['id']} {c['start_date']} {c['end_date']}" for c in competitions))
    write_lines("athletes.txt",
                (f"{a['id']} {a['username']} {PASSWORD} {a['token']}" for a in athletes))
    write_lines("follower.txt", [f"{follower_id} {follower_token}"])
    write_lines("follower_200.txt", [f"{follower_200_id} {follower_200_token}"])
    write_lines("organiser.txt", [f"{organiser_id} {organiser_token}"])
    summary = {
        "scale": args.scale,
        "competitions": len(competitions),
        "athletes": len(athletes),
        "events": stats.counts.get("events", 0),
        "events_per_athlete": events_each,
        "follows": len(athletes),
        "follows_200": len(followed_200),
        "users": len(athletes) + 3,
        "retries_503": stats.counts.get("retries_503", 0),
        "workers": args.workers,
        "event_workers": args.event_workers,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    with open(os.path.join(args.out, "seed.json"), "w", encoding="utf-8") as file:
        json.dump(summary, file, indent=2)
    print(f"seeded in {timings['total_s']:.0f} s: {summary['competitions']} competitions, "
          f"{summary['athletes']} athletes, {summary['events']} events, {summary['follows']} "
          f"+ {summary['follows_200']} follows ({summary['retries_503']} retries after 503)",
          flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HttpError as error:
        print(f"seed failed: {error}", file=sys.stderr)
        sys.exit(1)
