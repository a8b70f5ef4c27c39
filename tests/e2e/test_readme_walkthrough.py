"""The README's walkthrough runs as written, block after block, against a served instance."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from tests.e2e.test_cli import OVERSIGHT
from tests.e2e.test_serve_cli import free_port, wait_until_serving
from tests.support import command_environment

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Walkthrough"
# Where the README's commands expect the service; the test serves on a free port instead.
README_ADDRESS = "localhost:8000"
# A command that fails stops the walkthrough, and so does an HTTP error: curl alone exits 0
# on a 4xx or 5xx answer. Each command is echoed first, so a failure names the command.
STRICT_SHELL = 'set -euo pipefail -x\ncurl() { command curl --fail-with-body "$@"; }\n'


def walkthrough_blocks(readme: str) -> list[str]:
    """The shell blocks of the README's walkthrough section, in their order."""
    _, found, rest = readme.partition(f"\n{SECTION}\n")
    assert found, f"README.md has no {SECTION!r} section"
    section = rest.split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_walkthrough_runs_from_top_to_bottom(database_url: str, tmp_path: Path) -> None:
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "the walkthrough holds shell blocks"
    # The README runs `.venv/bin/oversight` from the checkout; the test runs in a folder of
    # its own (the report the walkthrough saves lands there) with the same commands.
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(Path(OVERSIGHT).parent)
    environment = command_environment(database_url)
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(  # noqa: S603 -- our own console script with fixed arguments
            [OVERSIGHT, "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}", server)
            script = STRICT_SHELL + "\n".join(blocks).replace(README_ADDRESS, f"127.0.0.1:{port}")
            walked = subprocess.run(  # noqa: S603 -- bash running the README's own commands
                ["bash", "-c", script],  # noqa: S607 -- the walkthrough is written for bash
                cwd=tmp_path,
                env=environment,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)

    assert walked.returncode == 0, f"{walked.stderr}\n{walked.stdout}"
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()
