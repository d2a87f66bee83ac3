"""Settings for the tests: the project's settings with a data folder of their own.

The test database, the filesystem broker's folder and the Celery workers that tests start
all live under var/test, apart from a development server's var/.
"""

import os
from pathlib import Path

os.environ.setdefault("RISKAPP_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

# Playwright's synchronous API runs an event loop in the test thread, which makes Django
# refuse database access from that thread unless this is set. Only tests run that way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from riskapp.settings import *  # noqa: E402,F403
