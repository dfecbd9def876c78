"""Schemathesis hooks for scripts/fuzz-contract (loaded through SCHEMATHESIS_HOOKS).

PDF request bodies (POST /api/v1/documents/verify) are sent as the bytes generated, the way
schemathesis sends application/octet-stream: random bytes and strings that the service must
answer with a problem (not a PDF, empty), never a server error.
"""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
