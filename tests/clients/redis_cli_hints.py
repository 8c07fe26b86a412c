"""Types into an interactive redis-cli, on a pseudo-terminal as a person would, and checks the
hint it shows after `set k`: redis-cli builds its hints from COMMAND DOCS, or from its own
tables when the server answers that with an error. Reads REDIS_PORT and REDIS_PASSWORD."""

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

pid, terminal = pty.fork()
if pid == 0:
    # A 200-column terminal: redis-cli leaves hints out when it cannot tell the width.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    os.environ["TERM"] = "xterm"
    os.execvp("redis-cli", ["redis-cli", "-p", os.environ["REDIS_PORT"], "-a", os.environ["REDIS_PASSWORD"], "--no-auth-warning"])


def read_for(seconds):
    """What the terminal shows within `seconds`, answering redis-cli's cursor queries."""
    shown = b""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if select.select([terminal], [], [], 0.1)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # redis-cli exited and closed the terminal
                break
            shown += chunk
            if b"\x1b[6n" in chunk:
                os.write(terminal, b"\x1b[1;1R")
    return shown


read_for(2)
for key in b"set k":
    os.write(terminal, bytes([key]))
    time.sleep(0.05)
shown = read_for(2)
os.write(terminal, b"\x15quit\r")
read_for(1)
os.waitpid(pid, 0)
if b" value [NX|XX]" not in shown:
    sys.exit(f"no hint for SET in {shown!r}")
print("redis-cli shows hints")
