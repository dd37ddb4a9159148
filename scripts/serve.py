"""Run the demo service: the web server, the task worker and the periodic-task loop, stopping
all three together on Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
COMMANDS = {
    "web": ["runserver", HOST, "--insecure", "--noreload"],
    "worker": ["db_worker", "--interval", "2"],
    "scheduler": ["run_periodic", "--every", "60"],
}


def _stop(*_: object) -> None:
    raise SystemExit(0)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    procs = {
        name: subprocess.Popen([sys.executable, "manage.py", *args])  # noqa: S603
        for name, args in COMMANDS.items()
    }
    print(f"sscard: http://{HOST}/  (Ctrl-C stops the server, the worker and the scheduler)")
    try:
        return procs["web"].wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
