"""An AWS stage's first administrator: `python -m chalicelib.jobs.operator_login <username> --role ministry ...`.

A new stage has nobody who may sign in, and accounts are otherwise made by roster imports, which need a
school and someone allowed to import. This command makes a ministry (or region_admin) operator in the
directory and their login in the user pool, with a temporary password read from the terminal (never from the
command line) that they replace at first sign-in. Run it with the stage's settings in the environment
(infra/RUNBOOK.md, "First administrator"). Running it again for the same operator creates nothing new in the
directory and gives the login a new temporary password, so a failed run can simply be repeated.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from chalicelib.auth.cognito_users import NewLogin, user_pool
from chalicelib.config import ConfigError
from chalicelib.domain.errors import Problem
from chalicelib.store import people

__all__ = ["OPERATOR_ROLES", "NotAnOperator", "create_operator_login", "main"]

OPERATOR_ROLES = ("ministry", "region_admin")


class NotAnOperator(Exception):
    """The username belongs to someone who is not an operator of that role and region."""


def create_operator_login(username: str, password: str, *, role: str, last_name: str, first_name: str,
                          region: str | None = None) -> str:
    """Make (or find) the operator in the directory and (re)make their login in the user pool; their person_id."""
    pool = user_pool()
    if pool is None:
        raise ConfigError("IDENTITY_PROVIDER=cognito and the stage's COGNITO_* settings are needed")
    account = people.get_account(username)
    if account is None:
        person_id = people.create_operator(username, None, role=role, last_name=last_name, first_name=first_name,
                                           region=region)
    else:
        person = people.get_person(account.person_id)
        if person is None or (person.role, person.region) != (role, region):
            raise NotAnOperator(f"{username!r} belongs to someone who is not a {role} operator here")
        person_id = account.person_id
    pool.create([NewLogin(username, person_id, password)])
    return person_id


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.jobs.operator_login",
                                     description="Create an operator and their login in the stage's user pool.")
    parser.add_argument("username")
    parser.add_argument("--role", choices=OPERATOR_ROLES, default="ministry")
    parser.add_argument("--region", help="the region code of a region_admin")
    parser.add_argument("--last-name", required=True)
    parser.add_argument("--first-name", required=True)
    arguments = parser.parse_args(argv)
    if (arguments.role == "region_admin") != (arguments.region is not None):
        parser.error("--region goes with --role region_admin, and only with it")
    password = getpass.getpass("Temporary password (8 to 128 characters): ")
    if not 8 <= len(password) <= 128:
        parser.error("the password must have 8 to 128 characters")
    try:
        person_id = create_operator_login(arguments.username.strip().lower(), password, role=arguments.role,
                                          last_name=arguments.last_name, first_name=arguments.first_name,
                                          region=arguments.region)
    except (ConfigError, NotAnOperator, Problem) as exc:
        print(f"not done: {exc}", file=sys.stderr)
        return 1
    print(f"{arguments.username} is a {arguments.role} operator (person {person_id}); they sign in with the "
          "temporary password and choose their own.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
