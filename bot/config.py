"""Settings: exactly the environment of the contract, read from the environment and `.env`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "MENTOR_MINUTES_NOW",
    "SMTP_URL",
    "EMAIL_FROM",
)
SMTP_SCHEMES = {"smtp": (25, "plain"), "smtp+starttls": (587, "starttls"), "smtps": (465, "ssl")}
SMTP_EXAMPLE = "smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465"
ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class SmtpServer:
    """Where email goes: host, port, security (plain, starttls or ssl) and the login, if any."""

    host: str
    port: int
    security: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """An SMTP_URL read into its parts; ValueError says what was expected."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"expected {SMTP_EXAMPLE}") from None
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"expected {SMTP_EXAMPLE}")
    default_port, security = SMTP_SCHEMES[parts.scheme]
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpServer(parts.hostname, port or default_port, security, username, password)


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
    # Many workspaces (OAuth install): with these set, requests are routed by workspace.
    SLACK_CLIENT_ID: SecretStr | None = None
    SLACK_CLIENT_SECRET: SecretStr | None = None
    MENTOR_MINUTES_NOW: datetime | None = None
    SMTP_URL: SecretStr | None = None  # it may hold a password
    EMAIL_FROM: str | None = None

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

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        value = _blank_to_none(value)
        if value is not None:
            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("EMAIL_FROM")
    @classmethod
    def _email_from(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not ADDRESS.match(value.rpartition("<")[2].rstrip(">")):
            raise ValueError("expected an address such as induction@district.org")
        return value

    @property
    def smtp(self) -> SmtpServer | None:
        """The SMTP server when SMTP_URL is set (email is then a second channel)."""
        if self.SMTP_URL is None:
            return None
        return parse_smtp_url(self.SMTP_URL.get_secret_value())

    @property
    def email_from(self) -> str:
        """The From address: EMAIL_FROM, else one at the SMTP host."""
        if self.EMAIL_FROM:
            return self.EMAIL_FROM
        server = self.smtp
        return f"mentor-minutes@{server.host if server else 'localhost'}"

    @property
    def has_slack(self) -> bool:
        """True when a bot token is configured (otherwise only the console runs)."""
        return self.SLACK_BOT_TOKEN is not None

    @property
    def many_workspaces(self) -> bool:
        """True when OAuth is configured (SLACK_CLIENT_ID): every workspace its own program."""
        return self.SLACK_CLIENT_ID is not None

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
