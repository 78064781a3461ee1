"""``python -m oncoclaims``: the command line."""

from oncoclaims.cli import app

# Guarded: the /sparql query workers import the main module (multiprocessing's forkserver and
# spawn start methods), and must not run the command line again.
if __name__ == "__main__":
    app(prog_name="oncoclaims")
