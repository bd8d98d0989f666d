from inclusiecheck.cli import run

run()
