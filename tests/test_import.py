"""`import mmlab` is silent and light, and fixes the Keras backend."""

import os
import subprocess
import sys

PROBE = (
    "import os, sys; import mmlab; "
    "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch', 'plotly', 'papermill') if m in sys.modules)); "
    "print(os.environ['KERAS_BACKEND'], os.environ['TF_CPP_MIN_LOG_LEVEL'])"
)


def test_import_prints_nothing_and_loads_no_framework():
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")}
    silent = subprocess.run([sys.executable, "-c", "import mmlab"], capture_output=True, text=True, env=env)
    assert silent.returncode == 0
    assert silent.stdout == "" and silent.stderr == ""
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True)
    loaded, settings = probe.stdout.splitlines()
    assert loaded == "[]"
    assert settings == "tensorflow 3"


def test_explicit_backend_is_overridden():
    env = dict(os.environ, KERAS_BACKEND="jax")
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True)
    assert probe.stdout.splitlines()[1].startswith("tensorflow")


def test_public_names():
    import mmlab

    assert callable(mmlab.record) and callable(mmlab.seed_everything)
    assert mmlab.Strain.__name__ == "Strain"
