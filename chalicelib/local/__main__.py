"""`python -m chalicelib.local --port 8000 [--data-file PATH]`: what `make run` starts."""
import time

started = time.perf_counter()

import argparse  # noqa: E402  (the clock starts before the imports)
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from chalicelib.local.runner import Options, run  # noqa: E402

parser = argparse.ArgumentParser(prog="python -m chalicelib.local", description=__doc__)
parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
parser.add_argument("--data-file", type=Path, help="keep the data in this file between runs (default: in memory)")
arguments = parser.parse_args()
logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("chalicelib.local").setLevel(logging.INFO)
sys.exit(run(Options(port=arguments.port, host=arguments.host, data_file=arguments.data_file), started))
