#!/usr/bin/env python3
"""Check the invitation emails Meridian sends, independently of Meridian's own code.

Usage: check_invites.py FILE.eml|DIR [FILE.eml|DIR ...]

A directory stands for every *.eml directly inside it. Each message is parsed with
the standard library's `email` package and its calendar with the `icalendar` package.
Messages with calendar parts must be well-formed iTIP invitations (RFC 5545, 5546,
6047) shaped the way mail clients accept them; messages without (reminders) need a
text/plain and a text/html body. Prints one `FILE: problem` line per problem and a
final `N passed, M failed` line; exits 0 only when every file passes.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import sys
from email.message import EmailMessage
from pathlib import Path

import icalendar

CALENDAR_TYPES = {"text/calendar", "application/ics"}
METHODS = {"REQUEST", "CANCEL"}
MAX_LINE_OCTETS = 75


def check_file(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        return [f"cannot read: {err}"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    problems = check_headers(msg)
    if any(part.get_content_type() in CALENDAR_TYPES for part in msg.walk()):
        problems += check_invitation(msg)
    else:
        problems += check_plain_message(msg)
    return problems


def check_headers(msg: EmailMessage) -> list[str]:
    problems = []
    message_id = str(msg.get("Message-ID", "")).strip()
    if not message_id:
        problems.append("no Message-ID header")
    elif not (message_id.startswith("<") and message_id.endswith(">") and "@" in message_id):
        problems.append(f"Message-ID is not <local@domain>: {message_id!r}")
    date = msg.get("Date")
    if date is None:
        problems.append("no Date header")
    elif getattr(date, "datetime", None) is None:
        problems.append(f"Date header does not parse: {str(date)!r}")
    return problems


def check_plain_message(msg: EmailMessage) -> list[str]:
    """A message without a calendar (a reminder) needs a plain and an HTML body."""
    bodies = {
        part.get_content_type()
        for part in msg.walk()
        if part.get_content_disposition() != "attachment"
    }
    return [f"no {kind} body" for kind in ("text/plain", "text/html") if kind not in bodies]


def check_invitation(msg: EmailMessage) -> list[str]:
    problems = []
    calendar_part = None
    attachment = None
    if msg.get_content_type() != "multipart/mixed":
        problems.append(f"top level is {msg.get_content_type()}, not multipart/mixed")
    else:
        children = list(msg.iter_parts())
        alternatives = [p for p in children if p.get_content_type() == "multipart/alternative"]
        attachments = [p for p in children if p.get_content_type() == "application/ics"]
        if len(alternatives) == 1:
            calendar_part, alternative_problems = check_alternative(alternatives[0])
            problems += alternative_problems
        else:
            problems.append(
                f"multipart/mixed holds {len(alternatives)} multipart/alternative parts, not 1"
            )
        if len(attachments) == 1:
            attachment = attachments[0]
            problems += check_attachment(attachment)
        else:
            problems.append(
                f"multipart/mixed holds {len(attachments)} application/ics parts, not 1"
            )
    if calendar_part is None:
        # Misplaced, but still worth checking: the first calendar part anywhere.
        found = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        if not found:
            return problems + ["no text/calendar part"]
        calendar_part = found[0]

    ics = calendar_part.get_payload(decode=True) or b""
    if attachment is not None and attachment.get_payload(decode=True) != ics:
        problems.append("invite.ics attachment differs from the text/calendar part")
    problems += check_raw_calendar(ics)
    method, calendar_problems = check_calendar(ics, msg)
    problems += calendar_problems
    params = {k.lower(): v for k, v in calendar_part.get_params()[1:]}
    if params.get("charset", "").upper() != "UTF-8":
        problems.append(f"text/calendar charset is {params.get('charset')!r}, not UTF-8")
    if method is not None and params.get("method", "").upper() != method:
        problems.append(
            f"text/calendar method={params.get('method')!r} but the calendar's METHOD is {method}"
        )
    return problems


def check_attachment(attachment: EmailMessage) -> list[str]:
    problems = []
    if attachment.get_content_disposition() != "attachment":
        problems.append("application/ics part is not Content-Disposition: attachment")
    if attachment.get_filename() != "invite.ics":
        problems.append(
            f"application/ics part is named {attachment.get_filename()!r}, not 'invite.ics'"
        )
    return problems


def check_alternative(alternative: EmailMessage) -> tuple[EmailMessage | None, list[str]]:
    """Checks plain, HTML and calendar parts, in that order; returns the calendar part."""
    problems = []
    parts = list(alternative.iter_parts())
    types = [p.get_content_type() for p in parts]
    for kind in ("text/plain", "text/html", "text/calendar"):
        if types.count(kind) != 1:
            problems.append(f"multipart/alternative holds {types.count(kind)} {kind} parts, not 1")
    if problems:
        return None, problems
    if types.index("text/plain") > types.index("text/html"):
        problems.append("text/plain comes after text/html in multipart/alternative")
    if types[-1] != "text/calendar":
        problems.append(f"text/calendar is not the last part of multipart/alternative: {types}")
    calendar_part = parts[types.index("text/calendar")]
    if calendar_part.get("Content-Disposition") is not None:
        problems.append("text/calendar part has a Content-Disposition")
    return calendar_part, problems


def check_raw_calendar(ics: bytes) -> list[str]:
    problems = []
    if ics.replace(b"\r\n", b"").count(b"\n"):
        problems.append("calendar has bare LF line endings")
    if ics.replace(b"\r\n", b"").count(b"\r"):
        problems.append("calendar has bare CR characters")
    # The CRLF ending the last line belongs to the MIME boundary, so it may be missing.
    for number, line in enumerate(ics.split(b"\r\n"), start=1):
        if len(line) > MAX_LINE_OCTETS:
            problems.append(f"calendar line {number} is {len(line)} octets, over {MAX_LINE_OCTETS}")
    return problems


def check_calendar(ics: bytes, msg: EmailMessage) -> tuple[str | None, list[str]]:
    """Parses and checks the calendar; returns its METHOD (if sound) and the problems."""
    try:
        calendars = icalendar.Calendar.from_ical(ics, multiple=True)
    except Exception as err:  # icalendar raises ValueError and others on malformed input
        return None, [f"calendar does not parse: {err}"]
    if len(calendars) != 1:
        return None, [f"text/calendar holds {len(calendars)} VCALENDARs, not 1"]
    cal = calendars[0]
    problems = [
        f"{component.name} {name}: {error}"
        for component in cal.walk()
        for name, error in component.errors
    ]

    method = single_value(cal, "METHOD", problems)
    method = method.upper() if method else None
    if method is not None and method not in METHODS:
        problems.append(f"METHOD is {method}, not REQUEST or CANCEL")
    if single_value(cal, "VERSION", problems) not in (None, "2.0"):
        problems.append(f"VERSION is {cal.get('VERSION')}, not 2.0")
    single_value(cal, "PRODID", problems)

    events = cal.walk("VEVENT")
    if len(events) != 1:
        problems.append(f"calendar holds {len(events)} VEVENTs, not 1")
        return method, problems
    problems += check_event(events[0], method, msg)
    return method, problems


def single_value(component, name: str, problems: list[str]) -> str | None:
    value = component.get(name)
    if value is None:
        problems.append(f"{component.name} has no {name}")
        return None
    if isinstance(value, list):
        problems.append(f"{component.name} has {len(value)} {name} properties, not 1")
        return None
    text = str(value).strip()
    if not text:
        problems.append(f"{component.name} {name} is empty")
        return None
    return text


def check_event(event, method: str | None, msg: EmailMessage) -> list[str]:
    problems = []
    for name in ("UID", "SUMMARY", "SEQUENCE"):
        single_value(event, name, problems)
    sequence = event.get("SEQUENCE")
    if sequence is not None and not isinstance(sequence, list):
        if not str(sequence).isdigit():
            problems.append(f"SEQUENCE is {sequence!r}, not a non-negative integer")
    times = {name: utc_time(event, name, problems) for name in ("DTSTAMP", "DTSTART", "DTEND")}
    if times["DTSTART"] and times["DTEND"] and times["DTEND"] <= times["DTSTART"]:
        problems.append("DTEND is not after DTSTART")

    status = str(event.get("STATUS", "")).upper()
    if method == "REQUEST" and status == "CANCELLED":
        problems.append("REQUEST has STATUS:CANCELLED")
    if method == "CANCEL" and status != "CANCELLED":
        problems.append(f"CANCEL has STATUS:{status or '(none)'}, not CANCELLED")

    organizer = mailto_address(event, "ORGANIZER", problems)
    attendees = event.get("ATTENDEE")
    if attendees is None:
        problems.append("VEVENT has no ATTENDEE")
        attendees = []
    elif not isinstance(attendees, list):
        attendees = [attendees]
    for attendee in attendees:
        problems += check_attendee(attendee, organizer)

    from_addresses = getattr(msg.get("From"), "addresses", ())
    if len(from_addresses) != 1:
        problems.append(f"From header holds {len(from_addresses)} addresses, not 1")
    elif organizer is not None:
        from_domain = from_addresses[0].domain.lower()
        organizer_domain = organizer.rpartition("@")[2]
        if organizer_domain != from_domain:
            problems.append(
                f"ORGANIZER domain {organizer_domain} differs from the From domain {from_domain}"
            )
    return problems


def utc_time(event, name: str, problems: list[str]) -> dt.datetime | None:
    prop = event.get(name)
    if prop is None:
        problems.append(f"VEVENT has no {name}")
        return None
    if isinstance(prop, list):
        problems.append(f"VEVENT has {len(prop)} {name} properties, not 1")
        return None
    try:
        value = prop.dt
    except Exception:  # a broken value, already reported from the component's errors
        return None
    if not isinstance(value, dt.datetime):
        problems.append(f"{name} is not a date-time: {prop.to_ical()!r}")
        return None
    if "TZID" in prop.params or not prop.to_ical().endswith(b"Z"):
        problems.append(f"{name} is not in UTC (no trailing Z): {prop.to_ical().decode()}")
        return None
    return value


def mailto_address(event, name: str, problems: list[str]) -> str | None:
    value = event.get(name)
    if value is None:
        problems.append(f"VEVENT has no {name}")
        return None
    if isinstance(value, list):
        problems.append(f"VEVENT has {len(value)} {name} properties, not 1")
        return None
    address = address_of(value)
    if address is None:
        problems.append(f"{name} is not a mailto: address: {str(value)!r}")
    return address


def address_of(value) -> str | None:
    text = str(value).strip()
    if not text.lower().startswith("mailto:") or "@" not in text:
        return None
    return text[len("mailto:"):].lower()


def check_attendee(attendee, organizer: str | None) -> list[str]:
    address = address_of(attendee)
    label = f"ATTENDEE {str(attendee)!r}"
    if address is None:
        return [f"{label} is not a mailto: address"]
    problems = []
    params = {k.upper(): str(v) for k, v in attendee.params.items()}
    if not params.get("CN", "").strip():
        problems.append(f"{label} has no CN")
    if not params.get("ROLE"):
        problems.append(f"{label} has no ROLE")
    if params.get("PARTSTAT", "").upper() != "NEEDS-ACTION":
        problems.append(f"{label} has PARTSTAT={params.get('PARTSTAT')}, not NEEDS-ACTION")
    if params.get("RSVP", "").upper() != "TRUE":
        problems.append(f"{label} has RSVP={params.get('RSVP')}, not TRUE")
    if organizer is not None and address == organizer:
        problems.append(f"{label} is the ORGANIZER")
    return problems


def expand(arguments: list[str]) -> tuple[list[Path], list[str]]:
    files, problems = [], []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.eml") if p.is_file())
            if not found:
                problems.append(f"{path}: no .eml files in the directory")
            files += found
        else:
            files.append(path)
    return files, problems


def main(arguments: list[str]) -> int:
    if not arguments:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    files, setup_problems = expand(arguments)
    for problem in setup_problems:
        print(problem)
    passed = failed = 0
    for path in files:
        try:
            problems = check_file(path)
        except Exception as err:  # a checker crash is a failure of that file, not of the run
            problems = [f"checker error: {type(err).__name__}: {err}"]
        for problem in problems:
            print(f"{path}: {problem}")
        if problems:
            failed += 1
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and not setup_problems and files else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
