"""One module per CLI command; each registers its click command with `commands.register`."""
