"""The `packlaw` command line: one Typer app, a module per part."""
