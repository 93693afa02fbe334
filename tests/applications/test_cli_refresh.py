"""`manage.py create_application` refresh-token flags (AUTH0_USER_FLOWS.md section 4.3), in a
real subprocess: defaults by application type, each flag, `infinite`, and refusals that
write nothing."""

import pytest

from tests.applications.test_cli import assert_refused, new_application


def test_defaults_by_type(cli):
    web = new_application(cli, "--name", "CLI refresh web", "--type", "regular_web")
    spa = new_application(cli, "--name", "CLI refresh spa", "--type", "spa")

    assert web["refresh_token"]["rotation_type"] == "non-rotating"
    assert web["refresh_token"]["infinite_token_lifetime"] is True
    assert (spa["refresh_token"]["rotation_type"], spa["refresh_token"]["leeway"]) == (
        "rotating",
        10,
    )


def test_every_flag(cli):
    body = new_application(
        cli,
        "--name",
        "CLI refresh flags",
        "--type",
        "regular_web",
        "--refresh-rotation",
        "rotating",
        "--refresh-expiration",
        "expiring",
        "--refresh-leeway",
        "20",
        "--refresh-lifetime",
        "86400",
        "--refresh-idle-lifetime",
        "infinite",
    )

    assert body["refresh_token"] == {
        "rotation_type": "rotating",
        "expiration_type": "expiring",
        "leeway": 20,
        "token_lifetime": 86400,
        "infinite_token_lifetime": False,
        "idle_token_lifetime": 1296000,
        "infinite_idle_token_lifetime": True,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--refresh-rotation", "rotating", "--refresh-expiration", "non-expiring"],
            "CommandError: refresh_expiration_type: Rotating refresh tokens must be expiring: "
            "set expiration_type to expiring.",
        ),
        (
            ["--refresh-lifetime", "soon"],
            "CommandError: --refresh-lifetime must be a number of seconds or infinite",
        ),
        (
            ["--refresh-leeway", "3601"],
            "CommandError: refresh_leeway: The rotation overlap period (leeway) must be at most "
            "3600 seconds.",
        ),
    ],
)
def test_refusals_write_nothing(cli, args, message):
    before = cli.counts()

    result = cli.run("create_application", "--name", "Refused refresh", *args)

    assert_refused(cli, result, before)
    assert result.stderr.strip() == message
