#!/usr/bin/env python3
"""HyperLogLogs and geo searches, compared with redis-server at sizes the random sequences of
differential.py never reach.

    sketches.py --redis PORT --litekv PORT [--seed N]

HyperLogLog: the same elements are added to both servers in batches, through the promotion
from the sparse to the dense encoding; after each batch the values (GET) must be the same bytes
but for the cached count (litekv's PFCOUNT does not write it back, a kept difference) and the
counts the same. Merges and values copied from one server to the other (SET of what GET
gave) must go on counting alike.

Geo: a few thousand positions (clustered, spread, near the poles and the antimeridian) are
added to both, then random GEOSEARCH, GEORADIUS, GEODIST, GEOPOS and GEOHASH calls compared.
Searches without an order are compared as sets. Prints each difference and exits 1 if any.
"""
import argparse
import random
import sys

from differential import Connection


def without_cached_count(value):
    return value[:8] + value[16:] if isinstance(value, bytes) else value


def hyperloglogs(redis, litekv, check):
    for key, total, batch in [("small", 200, 1), ("sparse", 3000, 37), ("dense", 20000, 997)]:
        added = 0
        while added < total:
            elements = [f"{key}:{random.random()}" for _ in range(batch)]
            added += batch
            check(["PFADD", key] + elements)
            check(["GET", key], without_cached_count)
            check(["PFCOUNT", key])
    check(["PFMERGE", "merged", "small", "sparse"], None)
    check(["GET", "merged"], without_cached_count)
    check(["PFMERGE", "small", "dense"])
    check(["GET", "small"], without_cached_count)
    check(["PFCOUNT", "small", "sparse", "dense", "missing"])
    # A value made by one server, counted and grown by the other.
    for key in ["sparse", "dense"]:
        for source, target in [(redis, litekv), (litekv, redis)]:
            copy = f"copy:{key}"
            value = source.call(["GET", key])
            for connection in (redis, litekv):
                connection.call(["SET", copy, value])
            check(["PFCOUNT", copy])
            check(["PFADD", copy, "one more", "and another"])
            check(["GET", copy], without_cached_count)
            check(["PFCOUNT", copy])


def geo(redis, litekv, check):
    units = {"m": 1, "km": 1000, "mi": 1609.34, "ft": 0.3048}
    positions = []
    for n in range(3000):
        longitude, latitude = random.uniform(-180, 180), random.uniform(-85.05, 85.05)
        if n % 3 == 0:
            longitude, latitude = random.uniform(12, 16), random.uniform(36, 39)
        if n % 7 == 0:
            latitude = random.uniform(75, 85.05)
        positions += [repr(longitude), repr(latitude), f"m{n}"]
    for at in range(0, len(positions), 300):
        check(["GEOADD", "g"] + positions[at:at + 300])
    check(["ZRANGE", "g", "0", "-1", "WITHSCORES"])
    for _ in range(1500):
        unit = random.choice(list(units))
        center = random.choice([
            ["FROMLONLAT", repr(random.uniform(-180, 180)), repr(random.uniform(-85, 85))],
            ["FROMLONLAT", repr(random.uniform(12, 16)), repr(random.uniform(36, 39))],
            ["FROMLONLAT", random.choice(["-180", "180", "179.99"]), repr(random.uniform(70, 85))],
            ["FROMMEMBER", f"m{random.randrange(3000)}"],
        ])
        size = 10 ** random.uniform(2, 7) / units[unit]
        shape = random.choice([
            ["BYRADIUS", repr(size), unit],
            ["BYBOX", repr(size), repr(size * random.uniform(0.2, 3)), unit],
        ])
        options = random.choice([[], ["ASC"], ["DESC"], ["COUNT", "5"], ["COUNT", "3", "ANY"],
                                 ["ASC", "WITHDIST", "WITHHASH", "WITHCOORD"]])
        unordered = not {"ASC", "DESC", "COUNT"} & set(options)
        normal = (lambda reply: sorted(reply, key=repr)) if unordered else None
        check(["GEOSEARCH", "g"] + center + shape + options, normal)
        if center[0] == "FROMLONLAT" and shape[0] == "BYRADIUS":
            check(["GEORADIUS", "g"] + center[1:] + shape[1:] + options, normal)
    for _ in range(300):
        check(["GEODIST", "g", f"m{random.randrange(3000)}", f"m{random.randrange(3000)}",
               random.choice(list(units))])
    members = [f"m{n}" for n in range(0, 3000, 7)]
    check(["GEOPOS", "g"] + members)
    check(["GEOHASH", "g"] + members)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", type=int, required=True)
    parser.add_argument("--litekv", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    random.seed(options.seed)
    redis, litekv = Connection(options.redis), Connection(options.litekv)
    counts = {"total": 0, "differ": 0}

    def check(command, normal=None):
        expected, got = redis.call(command), litekv.call(command)
        if normal:
            expected, got = normal(expected), normal(got)
        counts["total"] += 1
        if expected != got:
            counts["differ"] += 1
            print(f"{' '.join(map(str, command))[:300]}\n  redis:  {expected!r:.300}\n  litekv: {got!r:.300}")

    for connection in (redis, litekv):
        connection.call(["FLUSHALL"])
    hyperloglogs(redis, litekv, check)
    geo(redis, litekv, check)
    print(f"{counts['total'] - counts['differ']} of {counts['total']} replies alike ({counts['differ']} differ), seed {options.seed}")
    sys.exit(1 if counts["differ"] else 0)


if __name__ == "__main__":
    main()
