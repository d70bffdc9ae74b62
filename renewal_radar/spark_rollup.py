"""The usage roll-up on Apache Spark: the same SQL as the DuckDB engine, for event volumes past one machine.

Imported only by ``rollup-usage --engine spark``; nothing on the dashboard's path touches Spark. Paths may be
local folders or a cluster's storage (``hdfs://``, ``s3a://``, ``abfss://`` …): files are listed, staged and
moved through Hadoop's file system API, which Spark already carries for every scheme it can read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid

from renewal_radar import sql
from renewal_radar import usage_layout as common

EVENT_COLUMNS = {"account_id": "string", "event_time": "timestamp", "event_type": "string", "user_id": "string"}


def spark_sql(name: str) -> str:
    """A query file with DuckDB's ``$name`` parameters written as Spark's ``:name``."""
    return re.sub(r"\$([A-Za-z_]\w*)", r":\1", sql.load(name))


def session(master: str | None):
    """A Spark session on ``master`` (None: the one ``spark-submit`` set) that reads and writes times in UTC,
    as the DuckDB engine does."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master) if master else SparkSession.builder
    return (builder.appName("renewal-radar rollup-usage")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate())


class HadoopFiles:
    """Hadoop's file system for a path's scheme, reached through the session's JVM."""

    def __init__(self, spark, root: str):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = self._path(root).getFileSystem(self._conf)

    def _path(self, path: str):
        return self._jvm.org.apache.hadoop.fs.Path(path)

    def files_under(self, folder: str) -> list[str]:
        """Every file below ``folder``, recursively."""
        found, listing = [], self._fs.listFiles(self._path(folder), True)
        while listing.hasNext():
            found.append(listing.next().getPath().toString())
        return found

    def staging(self, out: str) -> str:
        """A staging folder inside ``out``."""
        folder = f"{out.rstrip('/')}/_staging-{uuid.uuid4().hex[:12]}"
        self.make_dirs(folder)
        return folder

    def list_dirs(self, folder: str) -> list[str]:
        """Names of the sub-folders of ``folder`` (none when it does not exist)."""
        if not self.exists(folder):
            return []
        return sorted(s.getPath().getName() for s in self._fs.listStatus(self._path(folder)) if s.isDirectory())

    def delete(self, path: str) -> None:
        """Remove a folder and everything in it."""
        self._fs.delete(self._path(path), True)

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``."""
        if not self._fs.rename(self._path(source), self._path(target)):
            raise common.RollupError(f"could not move {source} to {target}")

    def make_dirs(self, folder: str) -> None:
        """Create ``folder`` and its parents."""
        self._fs.mkdirs(self._path(folder))

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return bool(self._fs.exists(self._path(path)))


def _qualified(path: str) -> str:
    """A bare local path made absolute with its scheme, so Hadoop and the executors agree on it."""
    if re.match(r"^[A-Za-z][\w+.-]*://", path):
        return path.rstrip("/")
    return "file://" + os.path.abspath(path)


def _events(spark, source: str, files: dict[str, list[str]]):
    """The raw events as one DataFrame with the four columns, typed as the DuckDB engine types them."""
    from pyspark.sql import functions as F

    frames = []
    if files["parquet"]:
        frames.append(spark.read.option("basePath", source).parquet(*files["parquet"]))
    if files["csv"]:
        frames.append(spark.read.option("header", "true").option("basePath", source).csv(files["csv"]))
    typed = []
    for frame in frames:
        present = {c.lower(): c for c in frame.columns}
        typed.append(frame.select(*[
            (F.col(present[name]) if name in present else F.lit(None)).cast(kind).alias(name)
            for name, kind in EVENT_COLUMNS.items()]))
    events = typed[0]
    for other in typed[1:]:
        events = events.unionByName(other)
    return events


def _write(frame, folder: str, column: str, key: str) -> tuple[int, object, object]:
    from pyspark.sql import functions as F

    frame = frame.cache()
    rows, first, last = frame.agg(F.count("*"), F.min(column), F.max(column)).collect()[0]
    if rows:  # one task per partition value: one file per day, as the DuckDB engine writes
        frame.withColumn(key, F.col(column)).repartition(key).sortWithinPartitions(*frame.columns) \
            .write.mode("overwrite").partitionBy(key).parquet(folder)
    frame.unpersist()
    return rows, first, last


def rollup(source: str, out: str, master: str | None = "local[*]", since: dt.date | None = None
           ) -> common.RollupSummary:
    """Roll raw usage events up on Spark; the same output, partition for partition, as the DuckDB engine."""
    started = time.perf_counter()
    spark = session(master)
    spark.sparkContext.setLogLevel("ERROR")
    source, out = _qualified(source), _qualified(out)
    fs = HadoopFiles(spark, source)
    if not fs.exists(source):
        raise common.RollupError(f"{source} does not exist; give the folder that holds the usage event files")
    files = common.event_files(fs.files_under(source))
    if not files["parquet"] and not files["csv"]:
        raise common.RollupError(f"no Parquet or CSV files under {source}")
    read_from, first_written = common.read_window(since)
    _events(spark, source, files).createOrReplaceTempView("usage_events_source")
    pairs = spark.sql(spark_sql(common.PAIRS), args={"read_from": read_from}).persist()
    pairs.createOrReplaceTempView("usage_pairs")
    out_fs = HadoopFiles(spark, out)
    staging = out_fs.staging(out)
    daily = _write(spark.sql(spark_sql(common.DAILY), args={"since": first_written}),
                   f"{staging}/{common.DAILY_DIR}", common.DAILY_COLUMN, common.DAILY_KEY)
    monthly = _write(spark.sql(spark_sql(common.MONTHLY_USERS)), f"{staging}/{common.MONTHLY_DIR}",
                     common.MONTHLY_COLUMN, common.MONTHLY_KEY)
    pairs.unpersist()
    common.publish(out_fs, staging, out, since)
    return common.RollupSummary("spark", len(files["parquet"]) + len(files["csv"]), daily[0], monthly[0],
                                daily[1], daily[2], since, out, time.perf_counter() - started)
