"""Run the command line as `python -m brochure`."""

from .cli import run

run()
