"""``python -m oncoclaims``: the command line."""

from oncoclaims.cli import app

app(prog_name="oncoclaims")
