"""GPUMemoryCalculator, as in the earlier calculator, over the C core."""
import json

from .._api import calculate
from .models import EngineConfig, GPUConfig, ModelConfig, ParallelismConfig, TrainingConfig


class _Record:
    """A JSON object with attribute access (result.breakdown.gradients_gb)."""

    def __init__(self, data):
        self._data = data

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return _wrap(self._data[name])
        except KeyError:
            raise AttributeError(f"the result has no field {name!r}") from None

    def __getitem__(self, key):
        return _wrap(self._data[key])

    def __contains__(self, key):
        return key in self._data

    def __dir__(self):
        return list(self._data)

    def to_dict(self):
        """The object as plain dicts and lists (a copy)."""
        return json.loads(json.dumps(self._data))

    model_dump = to_dict

    def __repr__(self):
        return f"{type(self).__name__}({self._data!r})"


def _wrap(value):
    if isinstance(value, dict):
        return _Record(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class MemoryResult(_Record):
    """The result: total_memory_per_gpu_gb, fits_on_gpu, memory_utilization_percent,
    breakdown (model_params_gb, gradients_gb, optimizer_states_gb, activations_gb,
    overhead_gb), and every other field of the JSON result."""


class GPUMemoryCalculator:
    """Computes one configuration given as the earlier calculator's config objects."""

    def __init__(self, model_config, training_config=None, parallelism_config=None,
                 engine_config=None, gpu_config=None):
        self.model_config = model_config
        self.training_config = training_config or TrainingConfig()
        self.parallelism_config = parallelism_config or ParallelismConfig()
        self.engine_config = engine_config or EngineConfig()
        self.gpu_config = gpu_config or GPUConfig()

    @classmethod
    def from_dict(cls, config):
        """From a config dict with the sections model, training, parallelism, engine, hardware."""
        return cls(ModelConfig(**config.get("model", {})),
                   TrainingConfig(**config.get("training", {})),
                   ParallelismConfig(**config.get("parallelism", {})),
                   EngineConfig(**config.get("engine", {})),
                   GPUConfig(**config.get("hardware", {})))

    @classmethod
    def from_config_file(cls, path):
        """From a JSON config file (ours, or one of the earlier calculator's)."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def to_dict(self):
        """The config as the core reads it."""
        sections = {}
        for name, section in (("model", self.model_config), ("training", self.training_config),
                              ("parallelism", self.parallelism_config),
                              ("engine", self.engine_config), ("hardware", self.gpu_config)):
            data = section.to_dict() if hasattr(section, "to_dict") else dict(section)
            if data:
                sections[name] = data
        return sections

    def calculate(self):
        """The memory per GPU at the peak; raises ConfigError for an invalid config."""
        return MemoryResult(calculate(self.to_dict()))
