"""Run the demo service: the web server, the task worker and the periodic-task loop, stopping
all three together on Ctrl-C or SIGTERM.

``--simulate-partners`` also starts the simulated banks and card factories
(``manage.py simulate_partners``), which work the batches the production officer sends."""

from __future__ import annotations

import signal
import subprocess
import sys

SIMULATE = "--simulate-partners" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--simulate-partners"]
HOST = ARGS[0] if ARGS else "127.0.0.1:8000"
COMMANDS = {
    "web": ["runserver", HOST, "--insecure", "--noreload"],
    "worker": ["db_worker", "--interval", "2"],
    "scheduler": ["run_periodic", "--every", "60"],
}
if SIMULATE:
    COMMANDS["partners"] = ["simulate_partners", "--url", f"http://{HOST}", "--delay", "10"]


def _stop(*_: object) -> None:
    raise SystemExit(0)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    procs = {
        name: subprocess.Popen([sys.executable, "manage.py", *args])  # noqa: S603
        for name, args in COMMANDS.items()
    }
    print(f"sscard: http://{HOST}/  (Ctrl-C stops the server, the worker and the scheduler)")
    if SIMULATE:
        print("sscard: simulated banks and card factories work the sent batches every 10 s")
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
