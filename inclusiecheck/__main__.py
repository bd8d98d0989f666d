from inclusiecheck.cli import main

main()
