"""qindu: the 2022 work report of 秦都区, as cited facts on the command line."""

__version__ = "0.1.0"
