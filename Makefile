# Everyday commands. `make record` re-records every cassette (see cassettes/README.md).
PY := .venv/bin/python

.PHONY: test lint record bench

test:
	$(PY) -m pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

# Replay cassettes of the seed run (against the real endpoint when OPENAI_API_KEY is set,
# else the reference server on 127.0.0.1:8765), then the test cassettes of every fault
# path (always against the reference server, which the tests start themselves).
record:
	$(PY) -m tests.reference.record seeds
	$(PY) -m pytest tests/test_llm.py tests/test_cache.py tests/test_batch.py tests/test_injection.py \
		--record-mode=rewrite -q

bench:
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_stories.py --sizes 1000,4000
	$(PY) benchmarks/bench_batch.py --sizes 1000
