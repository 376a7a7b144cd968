"""gpu-mem-calc from Python: the GPU memory of an LLM training run, computed by
the same C core as the command line and the web page.

    import gpu_mem_calculator as gm
    result = gm.calculate({"model": {"preset": "llama-3-8b"},
                           "hardware": {"gpu": "H100", "num_gpus": 8}})
    result["total_memory_per_gpu_gb"]

The earlier calculator's classes are in gpu_mem_calculator.core.calculator
(GPUMemoryCalculator) and gpu_mem_calculator.core.models (ModelConfig, ...).
"""
from ._api import ConfigError, calculate, calculate_json, import_config, plan, presets

__version__ = "0.1.0"
__all__ = ["ConfigError", "calculate", "calculate_json", "import_config", "plan", "presets",
           "__version__"]
