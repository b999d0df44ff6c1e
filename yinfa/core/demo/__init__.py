"""The demo county: a deterministic, realistic data set built by ``manage.py seed_demo``.

- ``blueprint``: the organisation tree (a city bureau, the county 青禾县 with its units, streets, communities,
  work committee and branches, and the small sibling county 白溪县), as plain specs.
- ``people``: the retirees, generated from the blueprint with ``random.Random(seed)`` (no database).
- ``loader``: writes both to the database, creates the demo accounts and records one audit event.

Names are fictional: 江北市, 青禾县 and 白溪县 are not real places, and the area codes 379921/379922 are not
assigned to any real county.
"""

import datetime

DEFAULT_SEED = 20261122
# The demo's "today": ages, retirements and deaths are generated relative to this day, so the data do not
# depend on when the command runs.
REFERENCE_DATE = datetime.date(2026, 11, 22)
DEMO_PASSWORD = "Yinfa@2026"
# Fixed second-factor secrets of the three administrator accounts (demo only; base32).
DEMO_TOTP_SECRETS = {
    "xitong_admin": "YINFADEMOXITONGADMINSECRETKEY234",
    "anquan_admin": "YINFADEMOANQUANADMINSECRETKEY234",
    "shenji_admin": "YINFADEMOSHENJIADMINSECRETKEY234",
}
