"""Server settings: built-in defaults, then a TOML file, then YMT_* environment, then flags.

A TOML file holds the same names as the fields below, for example::

    database_url = "postgresql+psycopg://ymt:secret@127.0.0.1/yimatong"
    data_dir = "/var/lib/yimatong"
    port = 8080

The file is named by ``--config`` or ``YMT_CONFIG``. Each field can also come
from the environment as ``YMT_<NAME>`` (``YMT_DATABASE_URL``, ``YMT_PORT``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ENV_PREFIX = "YMT_"


class SettingsError(ValueError):
    """A configuration value is missing or wrong; the message says which and how to fix it."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Path("var")
    # Empty means SQLite in the data directory: <data_dir>/server.db.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    # SQLite's synchronous pragma for the server database (FULL or NORMAL; WAL either way).
    sqlite_synchronous: str = Field(default="FULL", pattern="^(FULL|NORMAL)$")
    # Upload limits per media kind, in bytes.
    max_photo_bytes: int = 8 * 1024 * 1024
    max_voice_bytes: int = 4 * 1024 * 1024
    max_video_bytes: int = 64 * 1024 * 1024
    enrolment_code_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Secret for console session cookies; generated into the data directory when empty.
    secret_key: str = ""
    migrate_on_start: bool = True

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'server.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    def media_limit(self, kind: str) -> int:
        return {
            "photo": self.max_photo_bytes,
            "voice": self.max_voice_bytes,
            "video": self.max_video_bytes,
        }[kind]


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from the layers in order; `overrides` (command-line flags) win.

    Overrides whose value is None are ignored, so unset flags fall through.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}

    config_file = config_file or environ.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        path = Path(config_file)
        try:
            with path.open("rb") as fh:
                values.update(tomllib.load(fh))
        except FileNotFoundError:
            raise SettingsError(f"configuration file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"configuration file {path} is not valid TOML: {exc}") from None

    for name in Settings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = raw

    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid server settings: {problems}") from None
