"""Run sscard: the web server (granian), the task worker(s) and the periodic runner, stopped
all together on Ctrl-C or SIGTERM, or when any one of them stops (sscard/core/serving.py).

    scripts/serve.py [HOST:PORT] [--simulate-partners]       # the demo (`make demo`)
    scripts/serve.py --production [HOST:PORT] [--workers N] [--task-workers N] [--env-file F]

The demo serves its settings as they are (`.env`, SQLite, the simulators); with
``--simulate-partners`` the simulated banks and card factories (``manage.py
simulate_partners``) also work the batches the production officer sends. ``--production`` is
`make serve`: production settings from ``--env-file`` (default ``$SSCARD_ENV_FILE``, else
``.env.production``; the environment first), PostgreSQL and Redis checked before anything
starts, then ``manage.py check --deploy``, the migrations and ``collectstatic``, then granian
with one worker a core."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # sscard, whatever the directory the script runs from

from sscard.core.serving import demo_children, serve_production, supervise  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="host:port")
    parser.add_argument("--production", action="store_true", help="production mode")
    parser.add_argument("--simulate-partners", action="store_true", help="demo only")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument(
        "--env-file",
        type=Path,
        default=Path(os.environ.get("SSCARD_ENV_FILE") or ROOT / ".env.production"),
        help="production's settings file (default: $SSCARD_ENV_FILE, else .env.production)",
    )
    args = parser.parse_args(argv)
    try:
        if args.production:
            return serve_production(
                args.address,
                workers=args.workers,
                task_workers=args.task_workers,
                env_file=args.env_file.resolve(),
            )
        print(
            f"sscard: http://{args.address}/  (Ctrl-C stops the server, the worker and the "
            "periodic runner)",
            flush=True,
        )
        if args.simulate_partners:
            print("sscard: simulated banks and card factories work the sent batches every 10 s")
        return supervise(demo_children(args.address, simulate_partners=args.simulate_partners))
    except KeyboardInterrupt:  # during the steps before the supervisor
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
