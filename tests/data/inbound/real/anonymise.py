#!/usr/bin/env python3
"""Replace the names and addresses of real people in the upstream samples.

Usage: python3 anonymise.py UPSTREAM_DIR

UPSTREAM_DIR holds the upstream files named as in the table below (each one is
the exact text of the file named in SOURCES.md; the sha256 below pins it).
The script writes the anonymised copy next to this script and checks that

  * every replacement matched exactly the expected number of times,
  * no original string is left,
  * base64 body lines are byte-for-byte unchanged (nothing inside base64 is
    ever edited: a replacement cannot reach an encoded address),
  * line endings and the number of lines are unchanged.

Samples that needed no change are copied unchanged by hand and are not listed.
"""

import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (upstream file, sha256 of it, output path, [(old, new, count), ...])
TABLE = [
    (
        "sendmail-1994-4.0.0-timeout.eml",
        "453f6c421bfd0340076759a918832610d6c13c02699275bbde24f205f821eb31",
        "bounce/sendmail-1994-4.0.0-failed-timeout.eml",
        [
            ("louisl@larry.slip.umd.edu", "recipient@larry.example.org", 4),
            ("larry.slip.umd.edu", "larry.example.org", 1),
        ],
    ),
    (
        "vircom-delayed-4.4.1-headers-only.eml",
        "2b8364c392006c7e321aa777a28ba514a4c12097e5ff33f3aa6b4249c5c52550",
        "bounce/vircom-delayed-4.4.1-headers-only.eml",
        [
            ("Daniel Klein", "Dana Example", 1),
        ],
    ),
    (
        "aol-vacation-auto-replied.eml",
        "f707d6c9e755058fb1c0ff7a6659c08e55b80bc28b1354ceb4405f3086e24191",
        "autoreply/aol-vacation-auto-replied.eml",
        [
            ("Uppercrustcook@aol.com", "Vacationer@example.com", 3),
            ("uppercrustcook@aol.com", "vacationer@example.com", 1),
            ("bounce@austinflowers.com", "bounce@example.org", 4),
            ("Thank you!  Julie", "Thank you!  Alex", 1),
        ],
    ),
    (
        "exchange2010-declined-comment.ics",
        "ac3e8ad54bb0f3307ddf3e08513cc703d54adf64669b92d2ec97ee2215b7e6f3",
        "reply/exchange2010-declined-comment.ics",
        [
            ("CN=Roger Wilson:mailto:roger.wilson@hcl.com",
             "CN=Attendee Two:mailto:attendee2@example.com", 1),
        ],
    ),
    (
        "google-calendar-accepted.ics",
        "12286fb6adecb8369826558b056fc2fdbcee09d905efa4005f753e0c5a8f96ac",
        "reply/google-calendar-accepted.ics",
        [
            # The CN is folded after 75 octets: keep the same lengths so the
            # fold stays where Google put it.
            ("CN=ihor.l\n itovka@avenga.com;", "CN=attend\n ee-01@example.com;", 1),
            ("mailto:ihor.litovka@avenga.com", "mailto:attendee-01@example.com", 1),
        ],
    ),
    (
        "kde-libkcal-delegated.ics",
        "49fb7c912a55c793faf9506fdc859277ab5dcc28c261a6b3e0b61ae7872d2072",
        "reply/kde-libkcal-delegated.ics",
        [
            ("DELEGATED-TO=emanuel.schuetze@intevation.de:",
             "DELEGATED-TO=delegate@example.org:", 1),
        ],
    ),
]

BASE64_LINE = re.compile(rb"^[A-Za-z0-9+/]{40,}={0,2}\r?$")


def base64_lines(data: bytes) -> list:
    return [line for line in data.split(b"\n") if BASE64_LINE.match(line)]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    upstream = Path(sys.argv[1])
    for name, digest, out, replacements in TABLE:
        data = (upstream / name).read_bytes()
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            sys.exit(f"{name}: sha256 {got}, expected {digest}")
        text = data.decode("utf-8")
        for old, new, count in replacements:
            seen = text.count(old)
            if seen != count:
                sys.exit(f"{name}: {old!r} found {seen} times, expected {count}")
            text = text.replace(old, new)
        for old, _new, _count in replacements:
            if old in text:
                sys.exit(f"{name}: {old!r} still present")
        result = text.encode("utf-8")
        if base64_lines(result) != base64_lines(data):
            sys.exit(f"{name}: a base64 line changed")
        if result.count(b"\n") != data.count(b"\n") or result.count(b"\r") != data.count(b"\r"):
            sys.exit(f"{name}: line endings changed")
        (HERE / out).write_bytes(result)
        print(f"{out}: {len(result)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
