"""Settings for the test suite: the normal settings with YINFA_ENV=test."""

import os

os.environ["YINFA_ENV"] = "test"

from yinfa import settings as _base  # noqa: E402

globals().update({name: getattr(_base, name) for name in dir(_base) if name.isupper()})
