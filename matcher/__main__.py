"""Run the command-line interface with ``python -m matcher``."""

from matcher.cli import interrupt

# Before the heavier imports, so that Ctrl-C during start-up also exits 130 quietly.
interrupt.install()

from matcher.cli.application import main  # noqa: E402

if __name__ == "__main__":
    main()
