"""One module per command; cli.py registers every click command these modules define."""
