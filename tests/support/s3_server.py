#!/usr/bin/env python3
"""A real S3-compatible server on 127.0.0.1 (moto in server mode, from PyPI), for tests.

    s3_server.py --dir DIR [--port 0] [--bucket NAME]...

Prints `PORT <n>` as its first line once it answers and every `--bucket` exists (`--port 0` lets
the system pick). Any access key and secret are accepted (moto checks no signature); objects are
kept in memory. Conditional puts are honoured (`If-None-Match: *` on an existing key answers
412). DIR is not used (every support script is given one). Runs until killed.
"""

import argparse
import logging
import os
import signal
import sys
import threading

import boto3
from moto.server import ThreadedMotoServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--bucket", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    # Werkzeug logs every request to stderr, which the test run shows: errors only.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for bucket in args.bucket:
        client.create_bucket(Bucket=bucket)
    print(f"PORT {port}", flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
