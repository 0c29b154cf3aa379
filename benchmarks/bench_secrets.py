"""Secret scanning speed on a megabyte of realistic postmortem text (logs, SHAs, URLs).

python benchmarks/bench_secrets.py
"""

from __future__ import annotations

import statistics
import time

from pmkb.rules.secrets import find_secrets

BLOCK = """
## Timeline

- 2024-03-05T10:02:00Z deploy 3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345, https://tracker.example.com/browse/OPS-1423
- dashboards https://grafana.example/d/abc123XYZ/checkout?orgId=1 ; the password: was rotated.

```
2024-03-05T10:02:01.123Z pod=checkout-api-7d9f8c6b5-x2kqp request_id=123e4567-e89b-12d3-a456-426614174000
image: registry.example.com/checkout@sha256:9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c9b2c token: REDACTED
DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app level=error msg="upstream timeout"
```
"""


def main() -> None:
    text = ("---\ntitle: Big\n---\n" + BLOCK * (1_000_000 // len(BLOCK) + 1))[:1_000_000]
    list(find_secrets("warm up"))  # the first scan imports detect-secrets
    times = []
    for _ in range(5):
        started = time.perf_counter()
        list(find_secrets(text))
        times.append(time.perf_counter() - started)
    print(f"1 MB scanned in {statistics.median(times):.3f} s (median of 5)")


if __name__ == "__main__":
    main()
