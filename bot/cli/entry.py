"""This module contains ``main``, the entry point of ``controlbot``: light until parsed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = build_parser().parse_args(argv)
    from bot.cli.boundary import run_command  # the application is imported only now

    return run_command(args)
