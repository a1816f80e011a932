#!/usr/bin/env python3
"""Generate the Microsoft Teams attendance-report samples.

Teams downloads its attendance report as a ".csv" that is really UTF-16 LE
with a byte-order mark, tab-separated, with CRLF line endings. Writing the
files from this script keeps that encoding exact. Run it from any directory:

    python3 samples/make_teams.py
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Current format (2021 onwards): numbered sections, one row per person in
# "2. Participants", one row per join/leave in "3. In-Meeting Activities".
CURRENT = [
    "1. Summary",
    "Meeting title\tMeridian Partner Webinar",
    "Attended participants\t6",
    "Start time\t11/27/26, 2:00:00 PM",
    "End time\t11/27/26, 3:30:12 PM",
    "Meeting duration\t1h 30m 12s",
    "Average attendance time\t1h 3m 18s",
    "",
    "2. Participants",
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    "Meridian Events\t11/27/26, 1:58:03 PM\t11/27/26, 3:30:12 PM\t1h 32m 9s\tevents@meridian.example\tevents@meridian.example\tOrganizer",
    "Kenji Sato\t11/27/26, 2:01:02 PM\t11/27/26, 3:29:40 PM\t1h 27m 28s\tkenji.sato@example.jp\tkenji.sato@example.jp\tAttendee",
    "Lucía Fernández\t11/27/26, 2:05:10 PM\t11/27/26, 3:07:40 PM\t1h 2m 30s\tlucia.fernandez@example.mx\tlucia.fernandez@example.mx\tAttendee",
    "Olga Ivanova\t11/27/26, 2:10:00 PM\t11/27/26, 2:55:03 PM\t45m 3s\tolga.ivanova@example.ru\tolga.ivanova@example.ru\tAttendee",
    "Olga Ivanova\t11/27/26, 2:12:30 PM\t11/27/26, 2:13:29 PM\t59s\tolga.ivanova@example.ru\tolga.ivanova@example.ru\tAttendee",
    "Guest Speaker\t11/27/26, 2:00:30 PM\t11/27/26, 3:29:50 PM\t1h 29m 20s\t\t\tPresenter",
    "",
    "3. In-Meeting Activities",
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
    "Meridian Events\t11/27/26, 1:58:03 PM\t11/27/26, 3:30:12 PM\t1h 32m 9s\tevents@meridian.example\tOrganizer",
    "Kenji Sato\t11/27/26, 2:01:02 PM\t11/27/26, 2:40:00 PM\t38m 58s\tkenji.sato@example.jp\tAttendee",
    "Kenji Sato\t11/27/26, 2:41:10 PM\t11/27/26, 3:29:40 PM\t48m 30s\tkenji.sato@example.jp\tAttendee",
    "Lucía Fernández\t11/27/26, 2:05:10 PM\t11/27/26, 3:07:40 PM\t1h 2m 30s\tlucia.fernandez@example.mx\tAttendee",
    "Olga Ivanova\t11/27/26, 2:10:00 PM\t11/27/26, 2:55:03 PM\t45m 3s\tolga.ivanova@example.ru\tAttendee",
    "Olga Ivanova\t11/27/26, 2:12:30 PM\t11/27/26, 2:13:29 PM\t59s\tolga.ivanova@example.ru\tAttendee",
    "Guest Speaker\t11/27/26, 2:00:30 PM\t11/27/26, 3:29:50 PM\t1h 29m 20s\t\tPresenter",
]

# Older format (before the numbered sections): a "Meeting Summary" block, then
# one row per join with "Full Name / Join Time / Leave Time / Duration".
LEGACY = [
    "Meeting Summary",
    "Total Number of Participants\t4",
    "Meeting Title\tMeridian Office Hours",
    "Meeting Start Time\t11/27/2026, 2:00:00 PM",
    "Meeting End Time\t11/27/2026, 3:00:45 PM",
    "",
    "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)",
    "Meridian Events\t11/27/2026, 1:59:30 PM\t11/27/2026, 3:00:45 PM\t1h 1m 15s\tevents@meridian.example\tOrganizer\tevents@meridian.example",
    "Kenji Sato\t11/27/2026, 2:02:00 PM\t11/27/2026, 2:30:00 PM\t28m 0s\tkenji.sato@example.jp\tAttendee\tkenji.sato@example.jp",
    "Kenji Sato\t11/27/2026, 2:35:20 PM\t11/27/2026, 3:00:00 PM\t24m 40s\tkenji.sato@example.jp\tAttendee\tkenji.sato@example.jp",
    "Youssef Haddad\t11/27/2026, 2:04:05 PM\t11/27/2026, 2:59:50 PM\t55m 45s\tyoussef.haddad@example.ma\tAttendee\tyoussef.haddad@example.ma",
]


def write_teams(name, lines):
    text = "\r\n".join(lines) + "\r\n"
    # "utf-16-le" plus an explicit BOM: exactly FF FE then little-endian units.
    (HERE / name).write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


if __name__ == "__main__":
    write_teams("teams-attendance.csv", CURRENT)
    write_teams("teams-attendance-legacy.csv", LEGACY)
