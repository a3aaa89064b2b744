from crawler.cli import cli

cli(prog_name="python -m crawler")
