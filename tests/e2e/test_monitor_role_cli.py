"""The monitor role on the command line: a token for Prometheus, never a person's account."""

from __future__ import annotations

from tests.e2e.test_cli import run


def test_a_monitor_token_is_issued_like_any_other_and_listed_with_its_role(
    database_url: str,
) -> None:
    issued = run(database_url, "token", "create", "--role", "monitor", "--name", "prometheus")
    listed = run(database_url, "token", "list")

    assert issued.returncode == 0, issued.stderr
    assert "(monitor)" in issued.stdout.splitlines()[0]
    assert any(
        line.split("\t")[1:4] == ["monitor", "-", "prometheus"]
        for line in listed.stdout.splitlines()
    )


def test_an_account_of_the_monitor_role_is_refused_saying_what_to_do_instead(
    database_url: str,
) -> None:
    refused = run(database_url, "account", "create", "prom", "--role", "monitor", "--name", "普罗")

    assert refused.returncode == 2
    assert "token create --role monitor" in refused.stderr
    listed = run(database_url, "account", "list")
    assert "prom" not in listed.stdout
