"""The earlier calculator's module layout: core.calculator and core.models."""
from .calculator import GPUMemoryCalculator, MemoryResult
from .models import EngineConfig, GPUConfig, ModelConfig, ParallelismConfig, TrainingConfig

__all__ = ["GPUMemoryCalculator", "MemoryResult", "ModelConfig", "TrainingConfig",
           "ParallelismConfig", "EngineConfig", "GPUConfig"]
