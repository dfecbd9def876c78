#!/usr/bin/env python3
"""A real webhook receiver on 127.0.0.1 that checks Standard Webhooks signatures, for tests.

    webhook_receiver.py --dir DIR (--secret whsec_... | --secret-file PATH) [--port 0] [--fail-first N]
                        [--status-file PATH] [--retry-after SECONDS] [--delay SECONDS]

Prints `PORT <n>` as its first line once it listens (`--port 0` lets the system pick).
Every request (any method, any path) is written as DIR/<n>.json (n = 1, 2, ... in order of
arrival; temporary name, then renamed) with the keys `id`, `timestamp`, `signature_ok`
(verified by the `standardwebhooks` package from PyPI, an implementation independent of
ours), `signature_error`, `body`, `method`, `path` and `status` (what it answered).

The answer: 500 to the first N requests with `--fail-first N`; then, with `--status-file`, the
status code written in that file when it exists (so a test can switch it while running: 500,
then 200, or 410); else 200. A 3xx carries `Location: /moved`; with `--retry-after S`, every
non-2xx answer carries `Retry-After: S`. `--delay S` waits S seconds before answering (to test
timeouts). With `--secret-file`, the secret is read from that file at every request (a test
writes the secret the service made for an endpoint, and the next one after a rotation).
Runs until killed.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--secret")
    parser.add_argument("--secret-file")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--status-file")
    parser.add_argument("--retry-after")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    if not args.secret and not args.secret_file:
        parser.error("--secret or --secret-file is required")

    def webhook():
        if args.secret_file:
            with open(args.secret_file) as f:
                return Webhook(f.read().strip())
        return Webhook(args.secret)
    state = {"count": 0, "failed": 0}
    lock = threading.Lock()

    def status_now():
        with lock:
            if state["failed"] < args.fail_first:
                state["failed"] += 1
                return 500
        if args.status_file and os.path.exists(args.status_file):
            with open(args.status_file) as f:
                text = f.read().strip()
            if text:
                return int(text)
        return 200

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                webhook().verify(body, headers, json_parse=False)
                ok, error = True, None
            except Exception as e:  # noqa: BLE001 - any failure is "not verified", with its reason
                ok, error = False, f"{type(e).__name__}: {e}"
            if args.delay:
                time.sleep(args.delay)
            status = status_now()
            with lock:
                state["count"] += 1
                n = state["count"]
            record = {
                "id": headers.get("webhook-id"),
                "timestamp": headers.get("webhook-timestamp"),
                "signature_ok": ok,
                "signature_error": error,
                "body": body.decode("utf-8", errors="replace"),
                "method": self.command,
                "path": self.path,
                "status": status,
            }
            path = os.path.join(args.dir, f"{n}.json")
            with open(path + ".tmp", "w") as f:
                json.dump(record, f)
            os.replace(path + ".tmp", path)
            answer = b'{"received": true}' if 200 <= status < 300 else b'{"error": "test receiver says no"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            if 300 <= status < 400:
                self.send_header("Location", "/moved")
            if args.retry_after and not 200 <= status < 300:
                self.send_header("Retry-After", args.retry_after)
            self.end_headers()
            self.wfile.write(answer)

        do_POST = do_GET = do_PUT = handle_any

        def log_message(self, *_):
            pass  # stdout carries the PORT line only

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
