"""Other local users cannot read candidates' data: the data dir is 0700 and its files
0600 — sessions.sqlite (answers, reports, password hashes) and its -wal/-shm files,
also when an older Mianshi left them 0755/0644 — and report downloads are served
from a private folder inside it, not copied into a 0644 cache. Real files, a process
umask of 022 (a usual shell's), the real Gradio download button."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.accounts import Accounts
from agent.cli.main import main
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig
from agent.interview.store import Store
from agent.settings import Settings
from agent.ui.access import keep_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _database_files(data: Path) -> list[Path]:
    return [p for p in data.iterdir() if p.name.startswith("sessions.sqlite")]


def test_a_new_data_dir_and_its_database_are_the_owners_alone(
    tmp_path: Path, usual_umask: None
) -> None:
    data = tmp_path / "data"
    store = Store(f"sqlite:///{data / 'sessions.sqlite'}")
    store.create_session("s1", "alice", InterviewConfig())
    names = sorted(p.name for p in _database_files(data))
    assert names == ["sessions.sqlite", "sessions.sqlite-shm", "sessions.sqlite-wal"]
    assert _mode(data) == 0o700
    assert {p.name: _mode(p) for p in _database_files(data)} == dict.fromkeys(names, 0o600)
    store.close()


def test_mianshi_users_add_writes_a_private_database(
    isolated_settings: Settings, monkeypatch: pytest.MonkeyPatch, usual_umask: None
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-pass-phrase\n"))
    assert main(["users", "add", "alice"]) == 0
    assert _mode(isolated_settings.data_dir) == 0o700
    assert all(_mode(p) == 0o600 for p in _database_files(isolated_settings.data_dir))
    assert os.umask(0o022) == 0o022  # the command put the caller's umask back


def test_an_older_installs_open_data_dir_is_closed_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, usual_umask: None
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    Accounts(data / "sessions.sqlite").close()
    for path in _database_files(data):
        os.chmod(path, 0o644)  # as an older Mianshi left them
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    keep_private(Settings(data_dir=data))  # what the app does at start
    monkeypatch.setenv("GRADIO_TEMP_DIR", os.environ["GRADIO_TEMP_DIR"])  # undone after
    os.umask(0o022)
    Accounts(data / "sessions.sqlite").close()  # and what opening the database does
    assert _mode(data) == 0o700
    assert all(_mode(p) == 0o600 for p in _database_files(data))
    assert Path(os.environ["GRADIO_TEMP_DIR"]) == data / "gradio"
    assert _mode(data / "gradio") == 0o700


def test_report_downloads_are_served_from_a_private_copy_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, usual_umask: None
) -> None:
    import gradio as gr

    from agent.ui.services import Services

    data = tmp_path / "data"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(data / "gradio"))  # as keep_private sets it
    services = Services(Settings(data_dir=data))
    report = Report(session_id="s-1")
    json_path, md_path = services.downloads(report)
    with gr.Blocks():
        button = gr.DownloadButton()
    from gradio.processing_utils import move_files_to_cache

    served = move_files_to_cache(button.postprocess(str(json_path)), button, postprocess=True)
    assert Path(served["path"]) == json_path  # no copy in a 0644 cache: this very file
    for path in (json_path, md_path):
        assert path.is_relative_to(data / "gradio") and _mode(path) == 0o600
        for folder in path.relative_to(data).parents:
            assert _mode(data / folder) == 0o700, folder
    services.close()
