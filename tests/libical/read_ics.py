"""Read an iCalendar object with libical (through GObject introspection) and print what it
found as JSON: METHOD, libical's verdict on the iTIP restrictions, every error libical attached
to a component, and each event with its instants in UTC (recurrences expanded).

Run by Debian's own interpreter (`/usr/bin/python3` with `python3-gi` and `gir1.2-ical-3.0`),
not by the project's virtualenv: the bindings are system packages. Reads the object on stdin.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ical  # noqa: E402

MAX_OCCURRENCES = 500
UTC = ical.Timezone.get_utc_timezone()


def utc_text(value):
    if value is None or value.is_null_time():
        return None
    if value.is_date():
        return value.as_ical_string()
    return ical.Time.convert_to_zone(value, UTC).as_ical_string()


def errors_of(component, found):
    prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(prop.get_value_as_string())
        prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
    while child is not None:
        errors_of(child, found)
        child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    return found


def text_of(event, kind):
    prop = event.get_first_property(kind)
    return prop.get_value_as_string() if prop is not None else None


def occurrences(event, start):
    prop = event.get_first_property(ical.PropertyKind.RRULE_PROPERTY)
    if prop is None:
        return [utc_text(start)]
    iterator = ical.RecurIterator.new(prop.get_rrule(), start)
    out = []
    value = iterator.next()
    while value is not None and not value.is_null_time() and len(out) < MAX_OCCURRENCES:
        out.append(utc_text(value))
        value = iterator.next()
    return out


def main():
    calendar = ical.Component.new_from_string(sys.stdin.read())
    if calendar is None:
        print(json.dumps({"parsed": False}))
        return
    parse_errors = errors_of(calendar, [])
    restrictions_ok = bool(ical.restriction_check(calendar))
    events = []
    event = calendar.get_first_component(ical.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        start = event.get_dtstart()
        events.append(
            {
                "uid": event.get_uid(),
                "summary": event.get_summary(),
                "status": text_of(event, ical.PropertyKind.STATUS_PROPERTY),
                "sequence": event.get_sequence(),
                "organizer": text_of(event, ical.PropertyKind.ORGANIZER_PROPERTY),
                "start_utc": utc_text(start),
                "end_utc": utc_text(event.get_dtend()),
                "occurrences_utc": occurrences(event, start),
            }
        )
        event = calendar.get_next_component(ical.ComponentKind.VEVENT_COMPONENT)
    method = calendar.get_first_property(ical.PropertyKind.METHOD_PROPERTY)
    report = {
        "parsed": True,
        "method": method.get_value_as_string() if method is not None else None,
        "parse_errors": parse_errors,
        "restrictions_ok": restrictions_ok,
        "errors": errors_of(calendar, []),
        "events": events,
    }
    print(json.dumps(report))


main()
