"""`python -m portal.bench`: run the benchmark with the portal's app factory."""
from portal import create_app
from portal.bench.run import main

main(create_app)
