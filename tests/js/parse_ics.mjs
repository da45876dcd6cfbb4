// Reads an iCalendar object on stdin and prints its events as JSON, as Mozilla's ical.js
// (the parser of Thunderbird and Nextcloud) understands them.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const root = new ICAL.Component(ICAL.parse(text));
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    start_utc: event.startDate.toJSDate().toISOString(),
    end_utc: event.endDate.toJSDate().toISOString(),
    summary: event.summary,
    method: root.getFirstPropertyValue("method"),
  };
});
process.stdout.write(JSON.stringify(events));
