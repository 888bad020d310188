"""`python -m monitor` is the same as the `govmon` console script."""

from monitor.cli.root import main

main()
