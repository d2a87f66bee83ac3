"""Exit with 0 when the service at a URL accepts a connection, else 1: probe_service.py redis|amqp|postgres URL."""

import sys


def main() -> int:
    kind, url = sys.argv[1], sys.argv[2]
    try:
        if kind == "redis":
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        elif kind == "amqp":
            from kombu import Connection

            with Connection(url, connect_timeout=2) as connection:
                connection.connect()
        elif kind == "postgres":
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=2):
                pass
        else:
            raise ValueError(f"unknown service kind {kind!r}")
    except Exception as error:  # noqa: BLE001 - any failure means the service is not usable
        print(f"{kind} at {url}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
