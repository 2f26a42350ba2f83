#!/usr/bin/env python3
# A stand-in for /dev/log: receive datagrams on a unix socket, one
# message per line into a file, until killed. Usage: PATH_SOCK OUT_FILE
import os, signal, socket, sys

sock_path, out_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
with open(out_path, "ab", buffering=0) as out:
    open(sock_path + ".ready", "w").close()
    while True:
        msg = s.recv(65536)
        out.write(msg.replace(b"\n", b" ") + b"\n")
