"""The Management API tests' token and client fixtures, and the console's staff client, for
the logs endpoints and pages."""

from tests.console.conftest import staff, staff_client
from tests.management_api.conftest import mgmt, mgmt_token

__all__ = ["mgmt", "mgmt_token", "staff", "staff_client"]
