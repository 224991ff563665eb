"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "congvu.example.gov.vn",
    "CONGVU_TESTING": "0",
    "CONGVU_CACHE_URL": "db",
}


def run_manage(*args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={**PRODUCTION_ENV, "CONGVU_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_each_process_keeps_its_own_cache(tmp_path):
    # Each gunicorn worker would count wrong passphrases on its own (congvu/core/cache.py).
    env = {**PRODUCTION_ENV, "CONGVU_CACHE_URL": "", "CONGVU_VAR_DIR": str(tmp_path)}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode != 0
    assert "congvu.W001" in result.stderr + result.stdout
    assert "CONGVU_CACHE_URL" in result.stderr + result.stdout


def test_the_cache_url_picks_the_shared_backend(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
    )
    seen = {}
    for url in ("db", "redis://127.0.0.1:6379/1", ""):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            CONGVU_VAR_DIR=str(tmp_path),
            CONGVU_CACHE_URL=url,
        )
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=BASE, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        seen[url] = result.stdout.split()
    assert seen["db"] == ["congvu.core.cache.DatabaseCache", "congvu_cache"]
    assert seen["redis://127.0.0.1:6379/1"] == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/1",
    ]
    assert seen[""][0] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "", "CONGVU_VAR_DIR": str(tmp_path)}
    result = run_manage("check", extra_env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_an_sqlite_database_named_by_url_gets_the_same_options(tmp_path):
    """DATABASE_URL=sqlite:///… once dropped WAL, IMMEDIATE and the busy timeout: a busy
    worker then made a citizen's page fail with "database is locked"."""
    script = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(c.fetchone()[0], connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'by-url.sqlite3'}",
        CONGVU_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]
