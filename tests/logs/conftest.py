"""The Management API tests' token and client fixtures, for the logs endpoints."""

from tests.management_api.conftest import mgmt, mgmt_token

__all__ = ["mgmt", "mgmt_token"]
