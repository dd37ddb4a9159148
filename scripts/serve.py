"""Run the demo service: the web server, the task worker and the periodic-task loop, stopping
all three together on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"
PY = sys.executable


def main() -> int:
    env = {**os.environ}
    workers = [
        subprocess.Popen([PY, "manage.py", "db_worker", "--interval", "2"], env=env),  # noqa: S603
        subprocess.Popen([PY, "manage.py", "run_periodic", "--every", "60"], env=env),  # noqa: S603
    ]
    print(f"sscard: http://{HOST}/  (Ctrl-C stops the server, the worker and the scheduler)")
    try:
        return subprocess.call(  # noqa: S603
            [PY, "manage.py", "runserver", HOST, "--insecure", "--noreload"], env=env
        )
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
