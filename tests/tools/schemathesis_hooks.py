"""Schemathesis hooks for tests/tools/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

POST /api/v1/inbound-mail takes a raw `message/rfc822` body, which schemathesis cannot
serialize by itself: the generated string is sent as the message's bytes.
"""

import schemathesis


@schemathesis.serializer("message/rfc822")
def rfc822(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")
