"""Schemathesis hooks for scripts/fuzz-contract (loaded through SCHEMATHESIS_HOOKS).

PDF request bodies (POST /api/v1/documents/verify) and catalog assets (PUT
/api/v1/catalog/assets/{name}, images) are sent as the bytes generated, the way schemathesis
sends application/octet-stream; catalog files (POST /api/v1/catalog/versions,
application/toml) as the text generated, the way it sends text/plain: random bytes and strings
the service must answer with a problem (not a PDF, not an image, not a catalog), never a server
error.
"""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
schemathesis.serializer.alias("image/svg+xml", "application/octet-stream")
schemathesis.serializer.alias("application/toml", "text/plain")
