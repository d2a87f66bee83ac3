#!/usr/bin/env bash
# Install, migrate, load the catalog and the demo scenarios, start a Celery worker and the web
# server on 127.0.0.1. Needs no database or broker server: SQLite and Kombu's filesystem
# transport under var/ are the defaults (DATABASE_URL and CELERY_BROKER_URL override them).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
port=${PORT:-8000}
mkdir -p var

python manage.py migrate --noinput
python manage.py load_demo_scenarios

python -m celery -A riskapp worker --loglevel=INFO --concurrency="${RISKAPP_WORKER_CONCURRENCY:-2}" \
  --logfile=var/worker.log &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

echo
echo "riskapp is running at http://127.0.0.1:$port/"
echo "Celery worker log: var/worker.log. Stop both with Ctrl-C."
echo
python manage.py runserver "127.0.0.1:$port"
