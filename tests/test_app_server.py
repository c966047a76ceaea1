"""The `cogov app` launcher: scenario checked first, loopback by default, the server's settings."""

from sim.app.server import ASSET_CACHE, server_environment, solara_command
from sim.cli import EXIT_BAD_INPUT, build_parser, main


def test_unknown_scenario_stops_with_one_line_before_any_server(capsys):
    assert main(["app", "no_such_scenario"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: no_such_scenario: scenario: no such file or shipped scenario")


def test_app_listens_on_loopback_unless_told_otherwise():
    args = build_parser().parse_args(["app"])
    assert (args.scenario, args.host) == ("default", "127.0.0.1")
    exposed = build_parser().parse_args(["app", "default", "--host", "0.0.0.0", "--port", "9000"])
    command = solara_command(exposed.host, exposed.port, open_browser=False)
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert command[command.index("--port") + 1] == "9000"
    assert "--no-open" in command and "--production" in command


def test_server_gets_the_scenario_no_telemetry_and_the_asset_cache(monkeypatch):
    monkeypatch.delenv("SOLARA_ASSETS_PROXY_CACHE_DIR", raising=False)
    env = server_environment("fee_spiral")
    assert env["COGOV_APP_SCENARIO"] == "fee_spiral"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    if ASSET_CACHE.is_dir():
        assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(ASSET_CACHE)
    else:
        assert "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env
