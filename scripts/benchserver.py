"""What the Python bench scripts share: the release binary to run, and a Portcullis
server on a free port and a fresh data dir for the length of a `with` block."""

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def binary(arg):
    """The binary named by command-line argument number `arg`, by default the
    release build; stops the script when it is not there."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[arg] if len(sys.argv) > arg else os.path.join(root, "target/release/portcullis")
    if not os.access(path, os.X_OK):
        sys.exit(f"{path} is missing: cargo build --release --bin portcullis")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port):
    """Whether `GET /healthz` answers 200 now."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


@contextlib.contextmanager
def running(command, **env):
    """Runs `command` (the binary and its arguments) as a Portcullis server with
    `env` added, its logs off, on a free port and a data dir of its own; yields
    the process and its port once `/healthz` answers, and stops it and deletes
    the data dir after the block."""
    work = tempfile.mkdtemp()
    port = free_port()
    env = dict(
        os.environ,
        PORTCULLIS_DATA_DIR=os.path.join(work, "data"),
        PORTCULLIS_PUBLIC_URL=f"http://127.0.0.1:{port}",
        ROCKET_PORT=str(port),
        ROCKET_LOG_LEVEL="off",
        **env,
    )
    server = subprocess.Popen(command, env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if healthy(port):
                break
            time.sleep(0.1)
        else:
            sys.exit("the server did not come up")
        yield server, port
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
