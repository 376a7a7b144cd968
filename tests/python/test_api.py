"""The Python package against the native build: every shared case through
calculate(), byte parity of calculate_json with the CLI's calc_json, and the
earlier calculator's README example unchanged.

    GM_BUILD=build python -m unittest discover -s tests/python

GM_BUILD names the build directory holding run_cases (the native side)."""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import gpu_mem_calculator as gm
from gpu_mem_calculator.core.calculator import GPUMemoryCalculator
from gpu_mem_calculator.core.models import (EngineConfig, GPUConfig, ModelConfig,
                                            ParallelismConfig, TrainingConfig)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("GM_BUILD", "build"))
CASES = os.path.join(ROOT, "tests", "cases")


def native(text):
    """calc_json of the native build for config text: run_cases --calc."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run([os.path.join(BUILD, "run_cases"), "--calc", f.name],
                              check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)


def lookup(value, path):
    """The value at a dotted path (numbers index lists), or KeyError."""
    for key in path.split("."):
        if isinstance(value, list):
            value = value[int(key)]
        elif isinstance(value, dict):
            value = value[key]
        else:
            raise KeyError(path)
    return value


def load_cases():
    cases = []
    for name in sorted(os.listdir(CASES)):
        if name.endswith(".json"):
            with open(os.path.join(CASES, name), encoding="utf-8") as f:
                cases.append(json.load(f))
    return cases


class SharedCases(unittest.TestCase):
    """tests/cases, the suite the native and WebAssembly builds run."""

    def test_every_case(self):
        cases = load_cases()
        self.assertGreater(len(cases), 50)
        for case in cases:
            with self.subTest(case=case["id"]):
                text = case.get("config_text")
                if text is None:
                    text = json.dumps(case["config"])
                # The same text gives the same bytes as the native build.
                self.assertEqual(gm.calculate_json(text), native(text))
                if "error" in case:
                    with self.assertRaises(gm.ConfigError) as raised:
                        gm.calculate(text)
                    want = case["error"]
                    if "field" in want:
                        self.assertEqual(raised.exception.field, want["field"])
                    if "message_contains" in want:
                        self.assertIn(want["message_contains"], raised.exception.message)
                    continue
                result = gm.calculate(case["config"] if "config" in case else text)
                for path, want in case["expect"].items():
                    if want is None:
                        with self.assertRaises((KeyError, IndexError), msg=path):
                            got = lookup(result, path)
                            if got is None:
                                raise KeyError(path)
                    elif isinstance(want, list):
                        value, tol = want
                        got = lookup(result, path)
                        self.assertLessEqual(abs(got - value), tol * (abs(value) or 1.0), path)
                    else:
                        self.assertEqual(lookup(result, path), want, path)


class EarlierReadme(unittest.TestCase):
    """The earlier calculator's README example, unchanged but for the prints."""

    def test_readme_example(self):
        model_config = ModelConfig(
            name="llama2-7b",
            num_parameters=7_000_000_000,
            num_layers=32,
            hidden_size=4096,
            num_attention_heads=32,
            vocab_size=32000,
            max_seq_len=4096,
        )
        training_config = TrainingConfig(
            batch_size=4,
            gradient_accumulation_steps=4,
            dtype="bf16",
            optimizer="adamw",
        )
        parallelism_config = ParallelismConfig(
            data_parallel_size=8,
        )
        engine_config = EngineConfig(
            type="deepspeed",
            zero_stage=3,
            offload_optimizer="cpu",
        )
        gpu_config = GPUConfig(
            num_gpus=8,
            gpu_memory_gb=80,
        )
        calculator = GPUMemoryCalculator(
            model_config=model_config,
            training_config=training_config,
            parallelism_config=parallelism_config,
            engine_config=engine_config,
            gpu_config=gpu_config,
        )
        result = calculator.calculate()
        config = {
            "model": {"name": "llama2-7b", "num_parameters": 7000000000, "num_layers": 32,
                      "hidden_size": 4096, "num_attention_heads": 32, "vocab_size": 32000,
                      "max_seq_len": 4096},
            "training": {"batch_size": 4, "gradient_accumulation_steps": 4, "dtype": "bf16",
                         "optimizer": "adamw"},
            "parallelism": {"data_parallel_size": 8},
            "engine": {"type": "deepspeed", "zero_stage": 3, "offload_optimizer": "cpu"},
            "hardware": {"num_gpus": 8, "gpu_memory_gb": 80},
        }
        self.assertEqual(calculator.to_dict(), config)
        want = json.loads(native(json.dumps(config)))
        self.assertEqual(result.to_dict(), want)
        self.assertEqual(result.total_memory_per_gpu_gb, want["total_memory_per_gpu_gb"])
        self.assertIs(result.fits_on_gpu, want["fits_on_gpu"])
        self.assertEqual(result.memory_utilization_percent, want["memory_utilization_percent"])
        b = result.breakdown
        parts = (b.model_params_gb + b.gradients_gb + b.optimizer_states_gb + b.activations_gb
                 + b.overhead_gb)
        self.assertTrue(math.isclose(parts, result.total_memory_per_gpu_gb, abs_tol=1e-3))
        self.assertEqual(result.parameters.total, 6738415616)  # Llama-2-7B exactly
        self.assertEqual(result.resolved.engine.offload_optimizer, "cpu")
        self.assertGreater(result.cpu_memory_gb, 0)  # the offloaded optimizer states


class PlainApi(unittest.TestCase):
    def test_error_names_the_field(self):
        with self.assertRaises(gm.ConfigError) as raised:
            gm.calculate({"model": {"preset": "llama-3-8b"},
                          "parallelism": {"tensor_parallel_size": 5}})
        self.assertEqual(raised.exception.field, "parallelism.tensor_parallel_size")
        self.assertIsInstance(raised.exception, ValueError)

    def test_calculate_json_keeps_the_error_object(self):
        out = json.loads(gm.calculate_json('{"model": {'))
        self.assertIn("error", out)

    def test_bad_argument_types(self):
        with self.assertRaises(TypeError):
            gm.calculate(42)
        with self.assertRaises(ValueError):  # NaN is not JSON
            gm.calculate({"training": {"attention_dropout": float("nan")}})

    def test_presets_match_the_core(self):
        presets = gm.presets()
        self.assertIn("llama-3-8b", presets["models"])
        got = gm.calculate({"model": {"preset": "llama-3-8b"}, "hardware": {"gpu": "H100"}})
        self.assertEqual(got["parameters"]["total"],
                         presets["models"]["llama-3-8b"]["parameters"])

    def test_missing_field_of_a_section_reads_none(self):
        self.assertIsNone(TrainingConfig(batch_size=2).seq_len)
        with self.assertRaises(AttributeError):
            TrainingConfig().no_such_field

    def test_from_config_file_reads_the_earlier_examples(self):
        path = os.path.join(ROOT, "presets", "examples", "llama2_7b_deepspeed.json")
        result = GPUMemoryCalculator.from_config_file(path).calculate()
        with open(path, encoding="utf-8") as f:
            self.assertEqual(result.to_dict(), json.loads(native(f.read())))


class Plan(unittest.TestCase):
    def test_plan_matches_the_cli(self):
        config = {"model": {"preset": "llama-3-8b"}, "training": {"seq_len": 4096},
                  "hardware": {"gpu": "H100", "num_gpus": 8}, "plan": {"top": 3}}
        got = gm.plan(config)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(config, f)
        try:
            cli = json.loads(subprocess.run(
                [os.path.join(BUILD, "gpu-mem-calc"), "plan", "--config", f.name, "--format", "json"],
                check=True, capture_output=True, text=True).stdout)
        finally:
            os.unlink(f.name)
        cli.pop("evaluated_per_s", None)  # timed by the CLI
        got.pop("evaluated_per_s", None)
        self.assertEqual(got, cli)
        self.assertGreater(len(got["layouts"]), 0)
        # The first layout, calculated, fits.
        first = gm.calculate(got["layouts"][0]["config"])
        self.assertTrue(first["fits_on_gpu"])

    def test_plan_error(self):
        with self.assertRaises(gm.ConfigError):
            gm.plan({"model": {"preset": "no-such-model"}, "hardware": {"num_gpus": 8}})


class Imports(unittest.TestCase):
    def test_every_launcher_file_imports_as_in_the_cli(self):
        folder = os.path.join(ROOT, "tests", "imports")
        names = [n for n in sorted(os.listdir(folder)) if n.endswith((".json", ".sh", ".yml", ".yaml", ".toml"))]
        self.assertGreaterEqual(len(names), 16)
        for name in names:
            with self.subTest(file=name):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    report = gm.import_config(f.read())
                cli = subprocess.run([os.path.join(BUILD, "gpu-mem-calc"), "import", path],
                                     check=True, capture_output=True, text=True).stdout
                self.assertEqual(report, json.loads(cli))

    def test_import_matches_the_cli(self):
        path = os.path.join(ROOT, "tests", "imports", "megatron_train_llama3_8b_h100_fp8.sh")
        with open(path, encoding="utf-8") as f:
            report = gm.import_config(f.read())
        cli = subprocess.run([os.path.join(BUILD, "gpu-mem-calc"), "import", path], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual(report, json.loads(cli))
        self.assertEqual(report["config"]["training"]["gradient_accumulation_steps"], 16)
        config = report["config"]
        config["hardware"]["gpu"] = "H100"
        self.assertEqual(gm.calculate(config)["parameters"]["total"], 8030527488)

    def test_import_error(self):
        with self.assertRaises(gm.ConfigError):
            gm.import_config("not a launcher file")


if __name__ == "__main__":
    sys.exit(unittest.main())
