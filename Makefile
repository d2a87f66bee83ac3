# Entry points. `make run` starts everything with embedded defaults; `make test` runs the tests
# with every service they need.
.PHONY: run test worker web lint bench messages clean

run:
	scripts/run.sh

test:
	scripts/test.sh

worker:
	scripts/bootstrap.sh requirements.txt
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python -m celery -A riskapp worker --loglevel=INFO

web:
	scripts/bootstrap.sh requirements.txt
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python manage.py runserver 127.0.0.1:$${PORT:-8000}

lint:
	scripts/bootstrap.sh requirements-dev.txt
	.venv/bin/ruff check riskapp tests
	.venv/bin/ruff format --check riskapp tests

bench:
	scripts/bootstrap.sh requirements-dev.txt
	.venv/bin/python -m tests.bench > docs/benchmarks.md
	@echo "Wrote docs/benchmarks.md"

messages:
	.venv/bin/python manage.py makemessages --all --ignore=.venv

clean:
	rm -rf var/test var/broker var/broker-control
