"""What /api/v1 accepts: the limits its endpoints enforce and its OpenAPI document states.

One home, so a view and the document cannot drift apart (and the document needs no view module).
"""

from __future__ import annotations

import re

from mooc.catalog.core.credits import MAX_CREDITS as COURSE_MAX_CREDITS

# /api/v1/transfer
TRANSFER_MAX_LIMIT = 200
TRANSFER_DEFAULT_LIMIT = 50
MAX_ITEM_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_DECISION_BODY = 16 * 1024
MIN_CREDITS = 0.1
MAX_CREDITS = int(COURSE_MAX_CREDITS)
MAX_COURSE_CODE = 40
MAX_COURSE_TITLE = 200
COURSE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# /api/v1/xapi
STATEMENTS_MAX_LIMIT = 500
# User ids are 32-bit integers in the database; a larger "account name" names nobody.
MAX_USER_ID = 2**31 - 1
