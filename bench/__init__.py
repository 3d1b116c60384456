"""Speed and memory benchmarks (``make bench`` runs every ``bench_*.py``); they print figures, not pass/fail."""
