"""The README's curl walk-through, pasted into bash against a live `roomkey serve`, does what
it says at every step, so that it cannot rot."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live_server import live_server, roomkey_environment

README = Path(__file__).resolve().parents[2] / "README.md"
# register, log in, rooms, book, list, cancel, log out, and then no longer signed in
EXPECTED = [201, 200, 200, 201, 200, 204, 200, 401]


def walkthrough() -> str:
    section = README.read_text().split("## A walk through with curl", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the walk-through has no ```sh block"
    return block.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_walkthrough_runs_as_pasted(tmp_path: Path) -> None:
    env = roomkey_environment(database_url=f"sqlite+aiosqlite:///{tmp_path / 'roomkey.db'}",
                              demo_rooms="true")
    with live_server(env, tmp_path) as server:
        result = subprocess.run(["bash", "-c", walkthrough()], cwd=tmp_path, timeout=120,
                                env=env | {"BASE": server.url}, capture_output=True, text=True,
                                check=False)

    statuses = [int(status) for status in re.findall(r"→ (\d{3})$", result.stdout, re.MULTILINE)]
    assert statuses == EXPECTED, result.stdout + result.stderr
    assert result.stderr == ""
    # The ids went through shell variables: the booking cancelled is the one made.
    booking_id = json.loads((tmp_path / "booking.json").read_text())["id"]
    assert f"DELETE /bookings/{booking_id} → 204" in result.stdout
