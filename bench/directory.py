"""Benchmark: nearest-3 places open now, over 1,000 / 10,000 / 100,000 synthetic resources,
on SQLite and PostgreSQL. Prints the median and p99 per query and how they grow with size.

    .venv/bin/python bench/directory.py                       # SQLite only
    .venv/bin/python bench/directory.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

``--postgres`` (or ``BENCH_POSTGRES_URL``) names a server; the benchmark creates its own
database there and drops it at the end. The directory is spread over Los Angeles County's
extent, 40% of it food (the category searched), each place open one to three times a week;
queries start from random LA County ZIP centroids at random times of the week.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import percentile
from bot.db import Database
from bot.directory import places
from bot.directory.models import (
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from bot.directory.search import count_within, nearest, rebuild_index
from bot.schema import scratch_database

SIZES = (1_000, 10_000, 100_000)
SOUTH, NORTH, WEST, EAST = 33.70, 34.82, -118.95, -117.65  # LA County's extent
CATEGORIES = ["food"] * 4 + ["housing", "transport", "mental_health", "health", "legal", "family"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEK_START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 00:00 in Los Angeles


def fill(db: Database, size: int, rng: random.Random) -> float:
    """Insert ``size`` synthetic services at locations; returns seconds to build the index."""
    orgs, services, locations, links, categories, hours = [], [], [], [], [], []
    for n in range(size):
        key = f"s{n}"
        orgs.append({"id": key, "name": f"Org {n}"})
        services.append({"id": key, "organization_id": key, "name": f"Place {n}",
                         "status": "active"})  # fmt: skip
        locations.append({
            "id": key, "name": f"Place {n}", "address_1": f"{n} Main St",
            "city": "Los Angeles", "latitude": rng.uniform(SOUTH, NORTH),
            "longitude": rng.uniform(WEST, EAST),
        })  # fmt: skip
        links.append({"id": key, "service_id": key, "location_id": key})
        categories.append({"service_id": key, "category": rng.choice(CATEGORIES)})
        for r in range(rng.randint(1, 3)):
            opens = rng.randint(7, 16)
            hours.append({
                "id": f"{key}-{r}", "service_at_location_id": key, "freq": "WEEKLY",
                "byday": rng.choice(DAYS), "opens_at": datetime(2000, 1, 1, opens).time(),
                "closes_at": datetime(2000, 1, 1, opens + rng.randint(2, 5)).time(),
            })  # fmt: skip
    with db.transaction() as session:
        for model, rows in (
            (Organization, orgs), (Service, services), (Location, locations),
            (ServiceAtLocation, links), (ServiceCategory, categories), (Schedule, hours),
        ):  # fmt: skip
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
    started = time.perf_counter()
    with db.transaction() as session:
        rebuild_index(session)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return time.perf_counter() - started


def measure(db: Database, queries: int, rng: random.Random) -> dict[str, tuple[float, float]]:
    la = [p for p in places._la_zips()]
    points = [rng.choice(la) for _ in range(queries)]
    moments = [WEEK_START + timedelta(minutes=rng.randrange(7 * 24 * 60)) for _ in points]
    results: dict[str, list[float]] = {"nearest 3 open now": [], "counts within 1/3/10 mi": []}
    with db.sessions() as session:
        for place, moment in zip(points[:20], moments[:20], strict=True):  # warm up
            nearest(session, "food", place.latitude, place.longitude, 3, open_at=moment)
        for place, moment in zip(points, moments, strict=True):
            started = time.perf_counter()
            nearest(session, "food", place.latitude, place.longitude, 3, open_at=moment)
            results["nearest 3 open now"].append(time.perf_counter() - started)
            started = time.perf_counter()
            count_within(session, "food", place.latitude, place.longitude)
            results["counts within 1/3/10 mi"].append(time.perf_counter() - started)
    return {
        name: (statistics.median(values) * 1000, percentile(values, 0.99) * 1000)
        for name, values in results.items()
    }


def query_plan(db: Database) -> str:
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT service_at_location_id FROM directory_points "
                "WHERE category = 'food' AND lat_band IN (1700, 1701, 1702) "
                "AND latitude BETWEEN 34.0 AND 34.05 AND longitude BETWEEN -118.3 AND -118.2"
            ).all()
            return "; ".join(str(row[-1]) for row in rows)
        rows = connection.exec_driver_sql(
            "EXPLAIN SELECT service_at_location_id FROM directory_points "
            "WHERE category = 'food' AND lat_band IN (1700, 1701, 1702) "
            "AND latitude BETWEEN 34.0 AND 34.05 AND longitude BETWEEN -118.3 AND -118.2"
        ).all()
        return " / ".join(row[0].strip() for row in rows[:2])


def run(backend: str, server_url: str | None, sizes: list[int], queries: int) -> None:
    print(f"\n{backend}: {queries} queries per size (times in ms)")
    print(f"  {'resources':>10}  {'query':<24} {'median':>8} {'p99':>8}  {'growth':>8}")
    previous: dict[str, float] = {}
    for size in sizes:
        rng = random.Random(size)
        with scratch_database(server_url, "vecino_bench") as url:
            db = Database(url)
            build = fill(db, size, rng)
            figures = measure(db, queries, rng)
            plan = query_plan(db)
            db.dispose()
        for name, (median, p99) in figures.items():
            growth = f"x{median / previous[name]:.2f}" if name in previous else ""
            print(f"  {size:>10,}  {name:<24} {median:8.2f} {p99:8.2f}  {growth:>8}")
            previous[name] = median
        print(f"  {'':>10}  index rebuild {build:.1f} s; plan: {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    run("SQLite", None, sizes, args.queries)
    if args.postgres:
        run("PostgreSQL", args.postgres, sizes, args.queries)
    else:
        print("\nPostgreSQL skipped: pass --postgres URL or set BENCH_POSTGRES_URL.")


if __name__ == "__main__":
    main()
