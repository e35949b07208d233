"""Run the command-line interface with ``python -m matcher``."""

from matcher.cli.application import main

if __name__ == "__main__":
    main()
