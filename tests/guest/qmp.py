#!/usr/bin/python3
"""Send QMP commands to a QEMU monitor socket and print each reply.

usage: qmp.py [--timeout SECONDS] SOCKET COMMAND_JSON...

Each COMMAND_JSON is one QMP command, e.g. '{"execute":"query-status"}'. The script does
the qmp_capabilities handshake, sends the commands in order and prints each reply as one
line of JSON (asynchronous events are skipped). Exit status: 0 all commands returned,
1 a command returned {"error":...} (its class and description go to stderr; later
commands are not sent), 2 usage, 3 connection or protocol failure.
Standard library only.
"""
import json
import socket
import sys


def qmp_fail(msg, status=3):
    sys.stderr.write("qmp.py: %s\n" % msg)
    sys.exit(status)


class QmpConn:
    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def read_msg(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed by QEMU")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8", "replace"))

    def reply(self):
        while True:
            msg = self.read_msg()
            if "return" in msg or "error" in msg:
                return msg

    def send(self, cmd):
        self.sock.sendall(json.dumps(cmd).encode() + b"\n")
        return self.reply()


def main(argv):
    timeout = 300.0
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--timeout":
        try:
            timeout = float(args[1])
        except ValueError:
            qmp_fail("bad timeout '%s'" % args[1], 2)
        args = args[2:]
    if len(args) < 2:
        qmp_fail("usage: qmp.py [--timeout SECONDS] SOCKET COMMAND_JSON...", 2)
    cmds = []
    for text in args[1:]:
        try:
            cmd = json.loads(text)
        except ValueError as e:
            qmp_fail("command is not JSON: %s: %s" % (text, e), 2)
        if not isinstance(cmd, dict) or "execute" not in cmd:
            qmp_fail("command has no \"execute\": %s" % text, 2)
        cmds.append(cmd)
    try:
        conn = QmpConn(args[0], timeout)
        greeting = conn.read_msg()
        if "QMP" not in greeting:
            qmp_fail("no QMP greeting on %s" % args[0])
        caps = conn.send({"execute": "qmp_capabilities"})
        if "error" in caps:
            qmp_fail("qmp_capabilities failed: %s" % json.dumps(caps["error"]))
        for cmd in cmds:
            try:
                rep = conn.send(cmd)
            except EOFError:
                if cmd.get("execute") == "quit":
                    print("{\"return\": {}}")
                    continue
                raise
            print(json.dumps(rep))
            sys.stdout.flush()
            if "error" in rep:
                err = rep["error"]
                sys.stderr.write("qmp.py: %s failed: %s: %s\n" % (
                    cmd["execute"], err.get("class", "?"), err.get("desc", "?")))
                return 1
    except (OSError, EOFError, ValueError) as e:
        qmp_fail("%s: %s" % (args[0], e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
