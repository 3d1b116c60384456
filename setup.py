"""The compiled part of LAT: lat.ingest._fastxapi, the C fast path of NDJSON ingest (see lat/ingest/fastpath.py).

Everything else is declared in pyproject.toml. The extension is optional: where it cannot be
built (no compiler), the install still succeeds and lat.ingest.fastpath falls back to Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "lat.ingest._fastxapi",
            sources=["lat/ingest/_fastxapi.c", "lat/ingest/_fastxapi_rules.c"],
            depends=["lat/ingest/_fastxapi.h"],
            # dlopen/dlsym find OpenSSL's SHA-1 (no OpenSSL headers needed); a mutex guards the buffer pool
            libraries=["dl", "pthread"],
            # -ffp-contract=off: no fused multiply-add, so float arithmetic (durations) rounds as Python's does
            extra_compile_args=["-O2", "-std=c11", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=True,
        )
    ]
)
