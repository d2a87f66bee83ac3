#!/usr/bin/env bash
# Run the whole test suite with the real services it needs: a Celery worker on the filesystem
# broker, on Redis and on RabbitMQ, and PostgreSQL for the tests about it. Services that are
# not running are started, and installed with apt-get when possible. Anything still missing is
# named and the command fails, so that no test is skipped for want of a service.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh requirements-dev.txt
export PATH="$PWD/.venv/bin:$PATH"
export RISKAPP_DATA_DIR="$PWD/var/test"
mkdir -p "$RISKAPP_DATA_DIR"

redis_url=${RISKAPP_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
amqp_url=${RISKAPP_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672//}
postgres_url=${RISKAPP_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/riskapp}

missing=()
apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then return 1; fi
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

probe() { python scripts/probe_service.py "$@" >/dev/null 2>&1; }

if ! probe redis "$redis_url"; then
  command -v redis-server >/dev/null || apt_install redis-server || true
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/riskapp-test-redis.log >/dev/null
    sleep 1
  fi
  probe redis "$redis_url" || missing+=("Redis at $redis_url")
fi

if ! probe amqp "$amqp_url"; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server || true
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do probe amqp "$amqp_url" && break; sleep 1; done
  fi
  probe amqp "$amqp_url" || missing+=("RabbitMQ at $amqp_url")
fi

if ! probe postgres "$postgres_url"; then
  if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql || true; fi
  if command -v pg_ctlcluster >/dev/null; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    done
    sleep 2
  fi
  probe postgres "$postgres_url" || missing+=("PostgreSQL at $postgres_url")
fi

# Chromium renders pages and PDFs, and poppler reads the PDFs back. The Noto fonts draw the
# Chinese and emoji characters that the PDF test puts in a title. grep reads the whole font list
# (no -q), because under pipefail an early exit would fail fc-list with SIGPIPE.
has_font() { fc-list 2>/dev/null | grep "$1" >/dev/null; }
browser_packages=(chromium poppler-utils fonts-noto-cjk fonts-noto-color-emoji)
if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null \
    || ! has_font "Noto Sans CJK" || ! has_font "Noto Color Emoji"; then
  apt_install "${browser_packages[@]}" || true
fi
[ -x /usr/bin/chromium ] || missing+=("Chromium at /usr/bin/chromium (apt-get install chromium)")
command -v pdftotext >/dev/null || missing+=("pdftotext (apt-get install poppler-utils)")
has_font "Noto Sans CJK" || missing+=("CJK fonts (apt-get install fonts-noto-cjk)")
has_font "Noto Color Emoji" || missing+=("emoji font (apt-get install fonts-noto-color-emoji)")

if [ ${#missing[@]} -gt 0 ]; then
  echo "The tests need these services and packages, which could not be started or installed here:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "Start them, or point RISKAPP_TEST_REDIS_URL, RISKAPP_TEST_AMQP_URL and RISKAPP_TEST_POSTGRES_URL at them." >&2
  exit 1
fi

echo "== All tests: SQLite, filesystem broker"
python -m pytest "$@"

echo "== Worker tests: SQLite, Redis broker"
CELERY_BROKER_URL="$redis_url" python -m pytest -m worker -q

echo "== Worker tests: SQLite, RabbitMQ broker"
CELERY_BROKER_URL="$amqp_url" python -m pytest -m worker -q

echo "== Worker and database tests: PostgreSQL, Redis broker"
DATABASE_URL="$postgres_url" CELERY_BROKER_URL="$redis_url" python -m pytest -m "worker or postgres" -q
