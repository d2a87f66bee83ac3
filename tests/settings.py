"""Settings for the tests: the project's settings with a data folder of their own.

The test database, the filesystem broker's folder and the Celery workers that tests start
all live under var/test, apart from a development server's var/.
"""

import os
from pathlib import Path

os.environ.setdefault("RISKAPP_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from riskapp.settings import *  # noqa: E402,F403
