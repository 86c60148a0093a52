#!/usr/bin/env python3
"""Seeds a running Track Tracker server for the benchmarks, through its HTTP API only.

At scale 1 (BENCH_SCALE, or --scale) it creates:
  - one organiser user who creates 2,000 competitions spread over the next year;
  - 1,000 athletes: each a user who signs up, signs in and POSTs /athletes, then adds 20 upcoming
    events, each at a different competition whose dates contain the event's local day, with
    date-times in varied UTC offsets (20,000 events);
  - one follower user who follows all 1,000 athletes.

Counts scale with --scale (competitions and athletes; an athlete always has 20 events, fewer only
when there are fewer competitions). Sign-ups and sign-ins each cost an Argon2id hash on the
server, so they are sent from a pool of client threads; a 503 from the bounded hashing pool is
retried after its Retry-After.

It writes the ids and tokens the wrk scripts need into --out:
  competitions.txt   id start_date end_date           (one competition a line)
  athletes.txt       id username password token       (one athlete a line)
  follower.txt       id token
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
import sys
import threading
import time
import urllib.parse

PASSWORD = "bench-password-1"
EVENTS_PER_ATHLETE = 20

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

    def tick(self):
        with self.lock:
            self.done += 1
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
    parser.add_argument("--seed", type=int, default=20270704, help="random seed")
    args = parser.parse_args()

    n_competitions = max(20, round(2000 * args.scale))
    n_athletes = max(5, round(1000 * args.scale))
    events_each = min(EVENTS_PER_ATHLETE, n_competitions)
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
          f"1 follower; {args.workers} client threads", flush=True)

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

    # --- Athletes with their events --------------------------------------------------------
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
        for number, competition in enumerate(local_rng.sample(competitions, events_each)):
            start = dt.date.fromisoformat(competition["start_date"])
            end = dt.date.fromisoformat(competition["end_date"])
            day = start + dt.timedelta(days=local_rng.randrange((end - start).days + 1))
            moment = f"{day.isoformat()}T{local_rng.randrange(9, 22):02d}:" \
                     f"{local_rng.choice([0, 15, 30, 45]):02d}:00{competition['offset']}"
            client.request("POST", f"/athletes/{athlete_id}/events", {
                "competition_id": competition["id"],
                "name": f"{local_rng.choice(DISCIPLINES)} round {number % 3 + 1}",
                "date_time": moment,
            }, token=token)
        stats.add("events", events_each)
        return {"id": athlete_id, "username": username, "token": token}

    progress = Progress("athletes (sign-up, sign-in, profile, events)", n_athletes)
    athletes = run_parallel(args.workers, create_athlete, range(n_athletes), progress)
    timings["athletes_s"] = progress.elapsed()

    # --- The follower -----------------------------------------------------------------------
    follower_id, follower_token = sign_up_and_in(client, f"follower_{run_tag}", "Follower")

    def follow(athlete):
        client.request("PUT", f"/users/{follower_id}/following/{athlete['id']}",
                       token=follower_token)

    progress = Progress("follows", n_athletes)
    run_parallel(args.workers, follow, athletes, progress)
    timings["follows_s"] = progress.elapsed()
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
    write_lines("organiser.txt", [f"{organiser_id} {organiser_token}"])
    summary = {
        "scale": args.scale,
        "competitions": len(competitions),
        "athletes": len(athletes),
        "events": stats.counts.get("events", 0),
        "follows": len(athletes),
        "users": len(athletes) + 2,
        "retries_503": stats.counts.get("retries_503", 0),
        "workers": args.workers,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
    with open(os.path.join(args.out, "seed.json"), "w", encoding="utf-8") as file:
        json.dump(summary, file, indent=2)
    print(f"seeded in {timings['total_s']:.0f} s: {summary['competitions']} competitions, "
          f"{summary['athletes']} athletes, {summary['events']} events, {summary['follows']} "
          f"follows ({summary['retries_503']} retries after 503)", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HttpError as error:
        print(f"seed failed: {error}", file=sys.stderr)
        sys.exit(1)
