from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from console import config, paths

VALID = """\
# my shops
default_profile = "shop"

[profiles.shop]
environment = "production"
api_url = "https://api.example.com/"
region = "eu-west-1"
user_pool_id = "eu-west-1_AbC"
client_id = "client123"
aws_profile = "ops"
"""


def write(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_real_aws_profile_needs_only_four_keys() -> None:
    write(VALID)
    profile = config.load_profile()
    assert profile.name == "shop"
    assert profile.api_url == "https://api.example.com"
    assert profile.aws_profile == "ops"
    assert profile.aws_endpoint_url is None
    assert profile.offline_max_hours == 72


def test_paths_follow_xdg(isolated_dirs: dict[str, Path]) -> None:
    assert paths.config_file().is_relative_to(isolated_dirs["config"])
    assert paths.data_dir().is_relative_to(isolated_dirs["data"])
    assert paths.log_file().is_relative_to(isolated_dirs["state"])


def test_config_file_named_by_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text(VALID.replace("[profiles.shop]", "[profiles.other]").replace('"shop"', '"other"'))
    monkeypatch.setenv("SHOP_CONSOLE_CONFIG", str(other))
    assert config.load_profile().name == "other"


def test_profile_chosen_by_argument_then_env_then_file(monkeypatch: pytest.MonkeyPatch) -> None:
    write(VALID + VALID.split("\n", 2)[2].replace("[profiles.shop]", "[profiles.b]"))
    assert config.load_profile().name == "shop"
    monkeypatch.setenv("SHOP_CONSOLE_PROFILE", "b")
    assert config.load_profile().name == "b"
    assert config.load_profile("shop").name == "shop"


def test_every_key_overridable_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    write(VALID)
    monkeypatch.setenv("SHOP_CONSOLE_API_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("SHOP_CONSOLE_OFFLINE_MAX_HOURS", "12")
    monkeypatch.setenv("SHOP_CONSOLE_TERMINAL_ID", "T9")
    profile = config.load_profile()
    assert (profile.api_url, profile.offline_max_hours, profile.terminal_id) == ("http://127.0.0.1:9000", 12, "T9")


def test_wrong_value_names_file_line_and_key() -> None:
    path = write(VALID.replace('aws_profile = "ops"', 'aws_profile = "ops"\noffline_max_hours = "lots"'))
    with pytest.raises(config.ConfigError) as raised:
        config.load_profile()
    assert f"{path}, line 11: [profiles.shop] offline_max_hours" in str(raised.value)


def test_unknown_key_is_named() -> None:
    write(VALID + 'api_ulr = "typo"\n')
    with pytest.raises(config.ConfigError, match=r"line 11: \[profiles.shop\] api_ulr: Extra inputs"):
        config.load_profile()


def test_missing_key_names_the_table() -> None:
    write(VALID.replace('client_id = "client123"\n', ""))
    with pytest.raises(config.ConfigError, match=r"line 4: \[profiles.shop\] client_id: Field required"):
        config.load_profile()


def test_broken_toml_names_file_and_line() -> None:
    path = write(VALID.replace("[profiles.shop]", "[profiles.shop"))
    with pytest.raises(config.ConfigError, match=rf"{path}: not valid TOML: .*line 4"):
        config.load_profile()


def test_bad_env_override_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    write(VALID)
    monkeypatch.setenv("SHOP_CONSOLE_API_URL", "ftp://nope")
    with pytest.raises(config.ConfigError, match="environment variable SHOP_CONSOLE_API_URL"):
        config.load_profile()


def test_unknown_profile_lists_the_known_ones() -> None:
    write(VALID)
    with pytest.raises(config.ConfigError, match=r"no profile named 'nope' \(profiles: shop\)"):
        config.load_profile("nope")


def test_save_keeps_other_profiles_and_comments_and_is_private() -> None:
    path = write(VALID)
    demo = config.Profile(
        name="demo",
        environment="demo",
        api_url="http://127.0.0.1:1",
        region="us-east-1",
        user_pool_id="p",
        client_id="c",
    )
    config.save_profile(demo)
    text = path.read_text()
    assert text.startswith("# my shops")
    assert config.load_profile("shop").aws_profile == "ops"
    assert config.load_profile("demo") == demo
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_concurrent_saves_lose_no_profile() -> None:
    def save(i: int) -> None:
        config.save_profile(
            config.Profile(name=f"p{i}", api_url="http://h", region="r", user_pool_id="u", client_id="c")
        )

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert config.profile_names() == [f"p{i}" for i in range(8)]
