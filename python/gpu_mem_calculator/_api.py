"""The plain API: a config as a dict (or JSON text) in, the result as a dict out."""
import json

from . import _core


class ConfigError(ValueError):
    """An invalid config. field is the JSON path of the offending key
    ("parallelism.tensor_parallel_size"), message says what is wrong."""

    def __init__(self, field, message):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


def _text_of(config, name):
    """A config dict or JSON text (str or bytes) as the JSON text the core reads."""
    if isinstance(config, (str, bytes)):
        return config.decode() if isinstance(config, bytes) else config
    if isinstance(config, dict):
        return json.dumps(config, allow_nan=False)
    raise TypeError(name + " takes a dict or JSON text, got " + type(config).__name__)


def _checked(text):
    """The core's JSON answer as a dict; ConfigError when it is an error object."""
    out = json.loads(text)
    error = out.get("error") if isinstance(out, dict) else None
    if error is not None:
        raise ConfigError(error.get("field", ""), error.get("message", ""))
    return out


def calculate_json(config_json):
    """calc_json of the C core: JSON text in, JSON text out, byte for byte what
    the CLI prints with --format json (an {"error": ...} object on bad input)."""
    if not isinstance(config_json, str):
        raise TypeError("calculate_json takes the config as JSON text (str)")
    return _core.calc_json(config_json)


def calculate(config):
    """The memory of one config: a dict in the documented schema (or JSON
    text). Returns the result as a dict (keys as in docs/config.md and the
    README: total_memory_per_gpu_gb, fits_on_gpu, breakdown, resolved, ...).
    Raises ConfigError naming the field when the config is invalid."""
    return _checked(_core.calc_json(_text_of(config, "calculate")))


def plan(config):
    """The layouts that fit, fastest first, for a config dict (or JSON text) with
    an optional "plan" section (GPU counts, top N, what may change: see
    docs/config.md). Returns the planner's result as a dict (layouts, rejected,
    min_gpus, suggestions, ...); raises ConfigError for an invalid request."""
    return _checked(_core.plan_json(_text_of(config, "plan")))


def presets():
    """The GPU and model presets that configs can name: {"gpus": [...], "models": {...}}."""
    return json.loads(_core.presets_json())


def import_config(text, kind="auto"):
    """A launcher's file read as a config: a DeepSpeed ds_config.json, Megatron-LM
    arguments (or a launch script), an Axolotl, LLaMA-Factory or accelerate YAML, a
    torchtitan job TOML, a Hugging Face config.json, or our own config
    (kind "auto" detects which). Returns {"kind", "detected", "config", "mapped",
    "ignored", "warnings"}; raises ConfigError when the text is none of them."""
    if not isinstance(text, str) or not isinstance(kind, str):
        raise TypeError("import_config takes the file's text and a kind, both str")
    return _checked(_core.import_json(kind, text))
