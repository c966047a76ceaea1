"""`cogov app`: check the scenario, then serve the app with `solara run` on a printed URL."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP_FILE = Path(__file__).with_name("app.py")
#: Where `make test` (tools/fetch_solara_assets.py) caches solara's front-end files.
ASSET_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "solara-assets"
LOOPBACK = "127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the `app` subcommand."""
    parser.add_argument(
        "scenario", nargs="?", default="default", help="scenario to start with (default: default)"
    )
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 exposes the "
        "app to the network)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")


def server_environment(scenario: str) -> dict[str, str]:
    """The environment of the solara server: the scenario, no telemetry, the asset cache."""
    env = dict(os.environ)
    env["COGOV_APP_SCENARIO"] = scenario
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    if ASSET_CACHE.is_dir() and "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(ASSET_CACHE)
    return env


def solara_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The `solara run` command line.

    Production mode: no reloading of the page whenever a file under the working folder changes.
    """
    command = [sys.executable, "-m", "solara", "run", str(APP_FILE), "--host", host]
    command += ["--port", str(port), "--production", "--no-check-version"]
    return command if open_browser else [*command, "--no-open"]


def command_app(args: argparse.Namespace) -> int:
    """Validate the scenario (one-line error, status 2, via the CLI), then run the server."""
    from sim.app.settings import AppSettings, resolve  # the model, only for this command

    scenario = args.scenario
    resolve(AppSettings(scenario))
    if Path(scenario).is_file():  # the server may resolve paths from elsewhere
        scenario = str(Path(scenario).resolve())
    print(f"cogov app: {scenario} at http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    if args.host not in (LOOPBACK, "localhost", "::1"):
        print(
            f"warning: listening on {args.host}: anyone who can reach this port can use the app "
            "and read scenario files the server can read",
            file=sys.stderr,
        )
    command = solara_command(args.host, args.port, open_browser=not args.no_open)
    try:
        return subprocess.call(command, env=server_environment(scenario))
    except KeyboardInterrupt:
        return 0
