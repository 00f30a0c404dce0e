"""The deployment files say what the README promises (no Docker daemon is needed to check).

compose.yaml: two bot instances in webhook mode behind a proxy, PostgreSQL, health checks, the
secrets from .env. The Dockerfile: dependencies from the hashed lock in their own layer, the
project as a wheel from a builder stage, a non-root user, SQLite kept in /data.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import ROOT


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_bot_runs_twice_in_webhook_mode_on_postgresql_with_secrets_from_env() -> None:
    bot = compose()["services"]["bot"]
    assert bot["env_file"] == ".env" or ".env" in bot["env_file"]
    env = bot["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["WEBHOOK_URL"].startswith("https://")
    assert env["WEBHOOK_SECRET"].startswith("${WEBHOOK_SECRET:?")
    assert env["WEBHOOK_HOST"] == "0.0.0.0"
    assert str(env["WEBHOOK_PORT"]) == "8080"
    assert bot["deploy"]["replicas"] == 2
    assert "ports" not in bot, "only the proxy is reachable from outside"
    assert "container_name" not in bot, "two replicas cannot share one name"


def test_every_service_waits_for_what_it_needs_to_be_healthy() -> None:
    services = compose()["services"]
    assert services["bot"]["healthcheck"]["test"] == ["CMD", "volnyja-bot", "health"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["bot"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["proxy"]["depends_on"] == {"bot": {"condition": "service_healthy"}}


def test_postgresql_keeps_its_data_in_a_named_volume_and_its_password_in_env() -> None:
    spec = compose()
    postgres = spec["services"]["postgres"]
    assert re.fullmatch(r"postgres:1[6-9].*", postgres["image"])
    volume, target = postgres["volumes"][0].split(":")[:2]
    assert target == "/var/lib/postgresql/data"
    assert volume in spec["volumes"]
    password = postgres["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    assert ":${POSTGRES_PASSWORD:?" in spec["services"]["bot"]["environment"]["DATABASE_URL"]


def test_the_proxy_spreads_calls_over_every_instance_on_the_webhook_port() -> None:
    proxy = compose()["services"]["proxy"]
    assert "443:443" in proxy["ports"]
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(r"dynamic a bot 8080", caddyfile), "every replica, looked up again"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]


def test_the_image_installs_the_hashed_lock_before_the_project_as_a_wheel() -> None:
    text = dockerfile()
    stages = re.findall(r"^FROM .*$", text, re.MULTILINE)
    assert len(stages) >= 2, "a builder stage builds the wheel"
    final = text[text.rindex("\nFROM ") :]
    lock = final.index("--require-hashes -r /tmp/requirements.lock")
    wheel = final.index("pip install --no-deps /wheels/*.whl")
    assert lock < wheel
    assert "COPY pyproject.toml" not in final, "pyproject.toml edits do not touch the lock layer"
    assert "from=builder" in final
    assert "COPY --from=builder" not in final, "the wheel is mounted, not left in a layer"


def test_the_image_runs_as_uid_10001_with_sqlite_in_data() -> None:
    text = dockerfile()
    assert "--uid 10001" in text
    assert re.search(r"^USER 10001", text, re.MULTILINE)
    assert "chown volnyja:volnyja /data" in text
    assert "DATABASE_URL=sqlite+aiosqlite:////data/bot.db" in text
    assert re.search(r"^VOLUME /data$", text, re.MULTILINE)
    assert re.search(r'^HEALTHCHECK .*CMD \["volnyja-bot", "health"\]$', text, re.MULTILINE)


def test_env_example_leaves_the_database_to_the_image() -> None:
    """An uncommented relative DATABASE_URL would move the database out of /data in Docker."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith("DATABASE_URL")]
    assert not [line for line in lines if re.match(r"#\s*DATABASE_URL=sqlite", line)]
