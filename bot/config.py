"""Settings: exactly the environment of the contract, read from the environment and `.env`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "mentor_minutes.db"
# The demo district's own database (in the working directory) and clock, for `console --demo`
# and `demo` when DATABASE_URL / MENTOR_MINUTES_NOW are not set (docs/commands.md, the console).
DEMO_DATABASE_FILE = "mentor_minutes_demo.db"
DEMO_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 18 Nov 2026, 10:00 in Maple Valley
SLACK_API_DEFAULT = "https://slack.com/api/"
ENV_NAMES = (
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "MENTOR_MINUTES_NOW",
)


class SettingsError(ValueError):
    """Missing or malformed settings: one problem a line, each naming the variable and what was
    expected (`names`: the variables at fault)."""

    def __init__(self, problems: list[str], names: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.names = tuple(names)


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


class Settings(BaseSettings):
    """The process configuration (the README's "Environment" table)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    DATABASE_URL: str = Field(default_factory=_default_database_url)
    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = SLACK_API_DEFAULT
    MENTOR_MINUTES_NOW: datetime | None = None

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite:", "sqlite+", "postgresql+")):
            raise ValueError("expected a sqlite:///path or postgresql://user@host/db URL")
        if value.startswith("sqlite"):
            _check_sqlite_url(value)
        return value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if (
            value is not None
            and value.get_secret_value()
            and not (value.get_secret_value().startswith("xoxb-"))
        ):
            raise ValueError("expected a bot token starting with xoxb-")
        return _blank_to_none(value)

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if (
            value is not None
            and value.get_secret_value()
            and not (value.get_secret_value().startswith("xapp-"))
        ):
            raise ValueError("expected an app-level token starting with xapp- (Socket Mode)")
        return _blank_to_none(value)

    @field_validator("SLACK_SIGNING_SECRET")
    @classmethod
    def _signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return _blank_to_none(value)

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("MENTOR_MINUTES_NOW")
    @classmethod
    def _now(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("expected ISO 8601 with an offset, e.g. 2026-11-18T10:00:00-05:00")
        return value

    @property
    def has_slack(self) -> bool:
        """True when a bot token is configured (otherwise only the console runs)."""
        return self.SLACK_BOT_TOKEN is not None

    @property
    def is_sqlite(self) -> bool:
        """True when the store is SQLite."""
        return self.DATABASE_URL.startswith("sqlite")


def _check_sqlite_url(url: str) -> None:
    """A SQLite URL SQLAlchemy can open: `sqlite://` (in memory) or `sqlite:///` and a path."""
    scheme, separator, rest = url.partition("://")
    if separator and (not rest or rest.startswith("/")):
        return
    if not separator:
        scheme, _, rest = url.partition(":")
    path = rest
    name = path.lstrip("/") or DEFAULT_DATABASE_FILE
    raise ValueError(
        f"{url} is not a SQLite URL: a file takes three slashes, e.g. {scheme}:///{name} "
        f"(relative to the working directory) or {scheme}:////srv/mentor-minutes/{name} "
        "(absolute)"
    )


def _blank_to_none(value: SecretStr | None) -> SecretStr | None:
    if value is None or not value.get_secret_value().strip():
        return None
    return value


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError naming each bad variable and what was expected."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems, names = [], []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            names.append(name)
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError(problems, names) from None


def demo_settings(settings: Settings) -> Settings:
    """The demo's database and clock wherever the environment (or `.env`) sets none."""
    update: dict[str, object] = {}
    if "DATABASE_URL" not in settings.model_fields_set:
        update["DATABASE_URL"] = f"sqlite:///{Path.cwd() / DEMO_DATABASE_FILE}"
    if "MENTOR_MINUTES_NOW" not in settings.model_fields_set:
        update["MENTOR_MINUTES_NOW"] = DEMO_NOW
    return settings.model_copy(update=update)


def load_settings_but(names: tuple[str, ...]) -> Settings:
    """Settings with the named variables at their defaults (so a refusal can check the rest)."""
    defaults = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
        if name in names
    }
    return load_settings(**defaults)
