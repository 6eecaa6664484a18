"""The operator's door: Typer commands that call the same services as the web app."""
