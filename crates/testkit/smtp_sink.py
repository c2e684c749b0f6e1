"""A real SMTP server for tests (aiosmtpd). Every message it accepts is parsed with Python's
own `email` package, independent of the sender's MIME code, and stored as a folder of plain
files (to, subject, message_id, text, html) in the given folder. Started by
testkit::smtp::SmtpSink.

usage: smtp_sink.py FOLDER PORT   (PORT 0: any free port)

Prints "ready PORT" once listening. Exits when its standard input closes, so it never
outlives the test process that started it.
"""

import asyncio
import email
import email.policy
import itertools
import os
import sys
import threading
import time

from aiosmtpd.smtp import SMTP

_counter = itertools.count()


def _part(msg, kind):
    part = msg.get_body(preferencelist=(kind,))
    if part is None:
        return ""
    # One line ending, whatever the transfer encoding did with them.
    return part.get_content().replace("\r\n", "\n")


class Sink:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        fields = {
            "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")),
            "message_id": str(msg.get("Message-ID", "")).strip(),
            "text": _part(msg, "plain"),
            "html": _part(msg, "html"),
            "raw": envelope.original_content.decode("utf-8", "replace"),
        }
        # Sortable by arrival, unique across restarts; written aside and renamed, so a reader
        # never sees half a message.
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(_counter):06d}"
        tmp = os.path.join(self.folder, name + ".tmp")
        os.mkdir(tmp)
        for key, value in fields.items():
            with open(os.path.join(tmp, key), "w", encoding="utf-8", newline="") as f:
                f.write(value)
        os.rename(tmp, os.path.join(self.folder, name + ".msg"))
        return "250 OK"


def _exit_when_stdin_closes(loop, stop):
    sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


async def main():
    folder, port = sys.argv[1], int(sys.argv[2])
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handler = Sink(folder)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", enable_SMTPUTF8=True),
        host="127.0.0.1",
        port=port,
        reuse_address=True,
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    threading.Thread(target=_exit_when_stdin_closes, args=(loop, stop), daemon=True).start()
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
