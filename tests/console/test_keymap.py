"""Key overrides from the config file's [keymap] table, and the app applying them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from console import keymap
from console.app import create_app
from console.config import ConfigError
from tests.console.conftest import frozen_clock, offline_profile, settle


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_no_file_or_no_table_is_an_empty_keymap(tmp_path: Path) -> None:
    assert keymap.load(tmp_path / "missing.toml") == {}
    assert keymap.load(write(tmp_path, 'default_profile = "demo"\n')) == {}


def test_dotted_and_quoted_ids_and_several_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.demo]\napi_url = "http://x"\n\n[keymap]\nhome.sign_out = "x"\n"open.sale" = "f2, s"\n'
        'login.clear = "shift+tab"\napp.help = "?"\n',
    )
    assert keymap.load(path) == {"home.sign_out": "x", "open.sale": "f2,s", "login.clear": "shift+tab", "app.help": "?"}


@pytest.mark.parametrize("value", ['"ctrl+"', '""', "5", '"two words"'])
def test_a_bad_key_names_the_file_line_and_id(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f'[keymap]\napp.quit = "q"\nhome.sign_out = {value}\n')
    with pytest.raises(ConfigError) as raised:
        keymap.load(path)
    assert str(raised.value).startswith(f"{path}, line 3: [keymap] home.sign_out:")


def test_keymap_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'keymap' must be a table"):
        keymap.load(write(tmp_path, 'keymap = "x"\n'))


async def test_the_app_applies_the_config_files_keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_CONSOLE_CONFIG", str(write(tmp_path, '[keymap]\nlogin.clear = "f3"\n')))
    app = create_app(offline_profile(), clock=frozen_clock)  # keys from the config file
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#username", Input).value = "someone"
        await pilot.press("escape")  # no longer bound
        assert app.screen.query_one("#username", Input).value == "someone"
        await pilot.press("f3")
        assert app.screen.query_one("#username", Input).value == ""
