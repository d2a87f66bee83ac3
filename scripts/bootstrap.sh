#!/usr/bin/env bash
# Create or update the virtual environment .venv from a requirements file.
# Usage: scripts/bootstrap.sh requirements.txt|requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "riskapp needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment .venv"
  "$python" -m venv .venv
fi

# Reinstall only when the requirements changed since the last successful install.
stamp=.venv/.installed-$(basename "$requirements")
digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  if [ "$requirements" = requirements-dev.txt ]; then
    echo "Installing $requirements into .venv (the first time takes a few minutes: pygambit compiles)"
  else
    echo "Installing $requirements into .venv"
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import django, celery, numpy, scipy, plotly" \
    || { echo "The installation of $requirements failed; see the messages above." >&2; exit 1; }
  echo "$digest" > "$stamp"
fi
