"""`rollup-usage` as a spark-submit job: the cluster's master and resources come from spark-submit.

    spark-submit --master yarn --deploy-mode client tools/spark_rollup_job.py SOURCE OUT [--since YYYY-MM-DD]

Run it from a checkout of this repository (client mode: the driver reads the SQL files of queries/rollup;
the executors run plain Spark SQL, no Python code of ours). SOURCE and OUT may be hdfs://, s3a://, abfss://
or local paths.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renewal_radar import spark_rollup
from renewal_radar.dates import parse_date


def main() -> None:
    """Parse the job's arguments and roll the events up on the submitting session's cluster."""
    parser = argparse.ArgumentParser(prog="spark_rollup_job.py")
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--since", type=parse_date, default=None)
    args = parser.parse_args()
    print(spark_rollup.rollup(args.source, args.out, master=None, since=args.since).line())


if __name__ == "__main__":
    main()
