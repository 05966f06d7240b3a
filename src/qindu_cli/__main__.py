"""`python -m qindu_cli`."""

from qindu_cli.cli import main

main()
