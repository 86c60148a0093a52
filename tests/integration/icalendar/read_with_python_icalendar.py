"""Reads an iCalendar file with python3-icalendar (Debian), a parser we did not write, and prints
what it understood as JSON, for tests/integration/calendars_test.cc to assert on.
   python3 read_with_python_icalendar.py FILE
"""
import datetime
import json
import sys

import icalendar


def time(value):
    if value is None:
        return None
    decoded = value.dt
    if isinstance(decoded, datetime.datetime):
        return {"text": decoded.isoformat(), "is_date": False,
                "utc": decoded.utcoffset() == datetime.timedelta(0) and
                       decoded.tzinfo is not None,
                "unix": int(decoded.timestamp())}
    return {"text": decoded.isoformat(), "is_date": True, "utc": False, "unix": None}


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


with open(sys.argv[1], "rb") as file:
    calendar = icalendar.Calendar.from_ical(file.read())
events = []
for event in calendar.walk("VEVENT"):
    events.append({
        "uid": text(event, "UID"),
        "summary": text(event, "SUMMARY"),
        "location": text(event, "LOCATION"),
        "description": text(event, "DESCRIPTION"),
        "url": text(event, "URL"),
        "sequence": int(event.get("SEQUENCE", 0)),
        "start": time(event.get("DTSTART")),
        "end": time(event.get("DTEND")),
        "stamp": time(event.get("DTSTAMP")),
    })
json.dump({
    "version": text(calendar, "VERSION"),
    "method": text(calendar, "METHOD"),
    "name": text(calendar, "X-WR-CALNAME"),
    "refresh": text(calendar, "REFRESH-INTERVAL"),
    "events": events,
}, sys.stdout, ensure_ascii=False)
