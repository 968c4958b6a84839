"""Run the command line as `python -m brochure`."""

from .cli import main

main(prog_name="brochure")
