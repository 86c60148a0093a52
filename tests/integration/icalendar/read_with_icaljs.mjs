// Reads an iCalendar file with Mozilla's ical.js (npm), a parser we did not write, and prints
// what it understood as JSON, for tests/integration/calendars_test.cc to assert on.
//   node read_with_icaljs.mjs FILE
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const text = readFileSync(process.argv[2], 'utf8');
const calendar = new ICAL.Component(ICAL.parse(text));
const time = (value) => value && {
  text: value.toString(),
  is_date: value.isDate,
  utc: !value.isDate && value.zone === ICAL.Timezone.utcTimezone,
  unix: value.toUnixTime(),
};
const events = calendar.getAllSubcomponents('vevent').map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    location: event.location,
    description: event.description,
    url: component.getFirstPropertyValue('url'),
    sequence: event.sequence,
    start: time(event.startDate),
    end: component.hasProperty('dtend') ? time(event.endDate) : null,
    stamp: time(component.getFirstPropertyValue('dtstamp')),
  };
});
process.stdout.write(JSON.stringify({
  version: calendar.getFirstPropertyValue('version'),
  method: calendar.getFirstPropertyValue('method'),
  name: calendar.getFirstPropertyValue('x-wr-calname'),
  refresh: String(calendar.getFirstPropertyValue('refresh-interval')),
  events,
}));
