"""`python -m ketacare` runs the same CLI as the `ketacare` console script."""

from ketacare.cli.main import app

if __name__ == "__main__":
    app(prog_name="ketacare")
