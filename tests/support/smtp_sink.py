#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 that keeps what it receives, for tests (aiosmtpd).

    smtp_sink.py --dir DIR [--port 0] [--fail-first N] [--refuse-rcpt SUFFIX] [--down-until NAME]
                 [--tls starttls|implicit --cert PEM --key PEM]

Prints `PORT <n>` as its first line once it accepts connections (`--port 0` lets the system
pick). With `--down-until NAME` it prints the port as soon as the port is bound but refuses
connections (bound, not listening: a relay that is down) until a file DIR/NAME appears; the port
stays its own the whole time, so no other process can take it in between. Each accepted message
is written as DIR/<n>.eml (n = 1, 2, ... in order of arrival), exactly the bytes received after
DATA, with DIR/<n>.envelope.json ({"mail_from", "rcpt_tos"}) beside it; both are written to a
temporary name and renamed, the .eml last, so a reader that sees <n>.eml sees complete files.
`--fail-first N` answers `451` to the first N messages (at the end of DATA), to test retries;
`--refuse-rcpt SUFFIX` answers `550` to every recipient ending in SUFFIX, to test permanent
failures. `--tls starttls` offers STARTTLS and refuses mail without it; `--tls implicit` speaks
TLS from the first byte (as on port 465); both with the certificate chain and key given. Runs
until killed.
"""

import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, fail_first, refuse_rcpt):
        self.directory = directory
        self.fail_first = fail_first
        self.refuse_rcpt = refuse_rcpt
        self.failed = 0
        self.received = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt and address.lower().endswith(self.refuse_rcpt.lower()):
            return "550 5.1.1 No such user here (smtp_sink --refuse-rcpt)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.failed < self.fail_first:
                self.failed += 1
                return "451 4.3.0 Try again later (smtp_sink --fail-first)"
            self.received += 1
            n = self.received
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        write_atomically(os.path.join(self.directory, f"{n}.envelope.json"), json.dumps(meta).encode())
        write_atomically(os.path.join(self.directory, f"{n}.eml"), envelope.original_content)
        return "250 2.0.0 OK: kept as %d.eml" % n


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class LoopbackController(Controller):
    """A Controller on a socket bound beforehand, so port 0 works: the system picks a free port
    and no other process can take it between choosing and listening."""

    def __init__(self, handler, sock, **kwargs):
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)

    def _trigger_server(self):
        # aiosmtpd's readiness check connects with the server's own context, which a server-side
        # TLS context cannot do: connect as a client that checks nothing instead.
        if self.ssl_context is None:
            return super()._trigger_server()
        client = ssl.create_default_context()
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
        with socket.create_connection((self.hostname, self.port), 1.0) as raw:
            with client.wrap_socket(raw) as tls:
                tls.recv(1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--refuse-rcpt")
    parser.add_argument("--down-until")
    parser.add_argument("--tls", choices=["starttls", "implicit"])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.down_until:
        print(f"PORT {sock.getsockname()[1]}", flush=True)
        opener = os.path.join(args.dir, args.down_until)
        while not os.path.exists(opener):
            if stop.wait(0.05):
                return 0
    tls = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls == "starttls":
            tls = {"tls_context": context, "require_starttls": True}
        else:
            tls = {"ssl_context": context}
    handler = Sink(args.dir, args.fail_first, args.refuse_rcpt)
    controller = LoopbackController(handler, sock, **tls)
    controller.start()
    if not args.down_until:
        print(f"PORT {controller.port}", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
