#!/usr/bin/env bash
# Install, migrate, load the catalog and the demo scenarios, start a Celery worker and the web
# server on 127.0.0.1. Needs no database or broker server: SQLite and Kombu's filesystem
# transport in RISKAPP_DATA_DIR (default var/) are the defaults (DATABASE_URL and
# CELERY_BROKER_URL override them).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
port=${PORT:-8000}
# The settings create the data folder, so a checkout run with RISKAPP_DATA_DIR elsewhere gets no var/.
data_dir=${RISKAPP_DATA_DIR:-var}

python manage.py migrate --noinput
python manage.py load_demo_scenarios
# A local user, admin of the demo organisation and of a private one. Its password is kept in
# the data folder, so a restart neither changes it nor signs the user out. Delete the file for a new one.
login=$(python manage.py create_development_user --password-file "$data_dir/development-password")

if ! python -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) == 0)"; then
  echo "Port $port on 127.0.0.1 is already in use. Choose another one: PORT=8080 make run" >&2
  exit 1
fi

log="$data_dir/worker.log"
python -m celery -A riskapp worker --loglevel=INFO --concurrency="${RISKAPP_WORKER_CONCURRENCY:-2}" \
  --logfile="$log" >/dev/null &
worker=$!
python manage.py runserver "127.0.0.1:$port" --noreload &
web=$!
trap 'kill "$worker" "$web" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 120); do
  python -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)))" && break
  kill -0 "$web" 2>/dev/null || { echo "The web server did not start; see the messages above." >&2; exit 1; }
  sleep 0.5
done

echo
echo "riskapp is running at http://127.0.0.1:$port/"
echo "$login"
echo "Celery worker log: $log. Stop both with Ctrl-C."
echo
wait -n "$worker" "$web" || true
if kill -0 "$web" 2>/dev/null; then
  echo "The Celery worker stopped (see $log): ARA runs wait until a worker runs again." >&2
  echo "Start one with the same environment variables: make worker" >&2
  wait "$web"
fi
