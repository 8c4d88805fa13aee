"""``mianshi users add|list|remove``: candidate accounts for the app (see agent/accounts.py)."""

from __future__ import annotations

import argparse
import getpass
import sys

from agent.accounts import Accounts
from agent.errors import UserError
from agent.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("users", help="candidate accounts for the app (login)")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    add = sub.add_parser(
        "add",
        help="add an account; the password is asked twice, or read as one line from stdin",
    )
    add.add_argument("name")
    sub.add_parser("list", help="the account names")
    remove = sub.add_parser("remove", help="remove an account (its sessions stay)")
    remove.add_argument("name")
    p.set_defaults(func=_users)


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first


def _users(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.action == "add" and args.name == settings.ui_username:
        raise UserError(
            f"{args.name!r} is the shared login's name (MIANSHI_UI_USERNAME): the shared "
            "password would open this account's sessions; choose another name"
        )
    accounts = Accounts(settings.database)
    try:
        if args.action == "add":
            accounts.add(args.name, _password())
            print(f"added {args.name}")
        elif args.action == "remove":
            accounts.remove(args.name)
            print(f"removed {args.name}")
        else:
            for name in accounts.names():
                print(name)
    finally:
        accounts.close()
    return 0
