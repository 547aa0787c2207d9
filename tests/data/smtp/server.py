#!/usr/bin/python3
"""A real SMTP server for schemagate's integration tests, on aiosmtpd.

Usage: server.py --port 0 --dir DIR [--tls starttls|implicit] [--auth USER:PASS]
                 [--auth-mechanisms PLAIN,LOGIN]

Prints the bound port on stdout once it accepts connections. Every accepted
message is stored in DIR/mailbox/NNNN.json (envelope plus the raw bytes as
received, base64). Every command name and reply code is appended to
DIR/log.jsonl (for AUTH the mechanism, never the credentials), so a test
can count round trips.

Faults are read from DIR/faults.json at each command, so a test can change
them while the server runs:
  {"temp_fail": N}           451 to the next N DATA commands (decrementing)
  {"perm_fail": true}        550 5.1.1 to every RCPT
  {"stall_after_data": true} store the message, then never reply
  {"reply_delay_ms": N}      wait N ms before each reply's last line (the
                             greeting's too): every command answers in
                             time, a long exchange as a whole does not

With --tls, DIR/cert.pem and DIR/key.pem must exist. The server exits when
its stdin closes, so it never outlives the test process that started it.
"""

import argparse
import asyncio
import base64
import json
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Box:
    """The test directory: faults in, messages and the command log out."""

    def __init__(self, root):
        self.root = root
        self.mailbox = os.path.join(root, "mailbox")
        os.makedirs(self.mailbox, exist_ok=True)
        self.faults_path = os.path.join(root, "faults.json")
        self.log_path = os.path.join(root, "log.jsonl")
        self.sessions = 0

    def faults(self):
        try:
            with open(self.faults_path) as f:
                return json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def write_faults(self, faults):
        tmp = self.faults_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(faults, f)
        os.replace(tmp, self.faults_path)

    def log(self, entry):
        with open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def store(self, session, envelope):
        count = len([n for n in os.listdir(self.mailbox) if n.endswith(".json")])
        record = {
            "session": session,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "raw_base64": base64.b64encode(envelope.original_content).decode("ascii"),
        }
        path = os.path.join(self.mailbox, "%04d.json" % (count + 1))
        # Written aside then renamed: a reader never sees half a message.
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.replace(path + ".tmp", path)


class Handler:
    def __init__(self, box):
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.box.faults().get("perm_fail"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        faults = self.box.faults()
        pending = int(faults.get("temp_fail", 0))
        if pending > 0:
            faults["temp_fail"] = pending - 1
            self.box.write_faults(faults)
            return "451 4.3.0 Temporary failure, try again later"
        self.box.store(server.session_number, envelope)
        if faults.get("stall_after_data"):
            await asyncio.sleep(24 * 3600)
        return "250 2.0.0 Message accepted for delivery"


class LoggingSMTP(SMTP):
    """aiosmtpd's SMTP, logging each command name and each reply code."""

    def __init__(self, box, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.box = box
        box.sessions += 1
        self.session_number = box.sessions
        for name, method in list(self._smtp_methods.items()):
            self._smtp_methods[name] = self._logged(name, method)

    def _logged(self, name, method):
        async def wrapper(arg):
            command = name
            if name == "AUTH" and arg:
                command = "AUTH " + arg.split()[0].upper()
            self.box.log({"session": self.session_number, "command": command})
            return await method(arg)

        return wrapper

    async def push(self, status):
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        # Only a reply's last line ("250 …", not "250-…") ends a round trip.
        if len(text) >= 4 and text[3] == " ":
            delay = int(self.box.faults().get("reply_delay_ms", 0))
            if delay > 0:
                await asyncio.sleep(delay / 1000)
            self.box.log({"session": self.session_number, "reply": int(text[:3])})
        await super().push(status)


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit"])
    parser.add_argument("--auth")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    args = parser.parse_args()

    box = Box(args.dir)
    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(
            os.path.join(args.dir, "cert.pem"), os.path.join(args.dir, "key.pem")
        )
    kwargs = {"hostname": "localhost", "enable_SMTPUTF8": True}
    if args.tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)
        # Plain connections may authenticate too: the tests run on loopback.
        offered = set(args.auth_mechanisms.upper().split(","))
        kwargs.update(
            authenticator=authenticator(user, password),
            auth_required=True,
            auth_require_tls=False,
            auth_exclude_mechanism={"PLAIN", "LOGIN"} - offered,
        )
    handler = Handler(box)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: LoggingSMTP(box, handler, **kwargs),
        host="127.0.0.1",
        port=args.port,
        ssl=context if args.tls == "implicit" else None,
        reuse_address=True,
    )
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
