"""Case and referral packages: WACZ 1.1.1 files, signed and timestamped, that prove themselves.

Writing is ``wacz.WaczWriter`` (used by ``case`` and ``referral``), checking is
``waczverify.verify_package``; this module is the one name callers import both by, with the
entry-name rules of ``names``.
"""

from __future__ import annotations

from monitor.export.names import safe_part, unsafe_name
from monitor.export.waczverify import PackageReport, check_custody, file_sha256, verify_package

__all__ = ["PackageReport", "check_custody", "file_sha256", "safe_part", "unsafe_name", "verify_package"]
