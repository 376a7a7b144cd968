"""Config sections as objects, with the earlier calculator's class names.

Each holds only the keys it was given; the C core applies every default (see
docs/config.md), so a section never invents a value. Keys it does not list
are passed on too, and the core warns about any it does not know."""


class _Section:
    section = ""
    fields = ()

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)

    def __getattr__(self, name):
        # A documented key that was not given reads as None: the core's default applies.
        if name in type(self).fields:
            return None
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def to_dict(self):
        """The keys that were given, as the config section's JSON object."""
        return {k: v for k, v in vars(self).items() if v is not None}

    model_dump = to_dict  # the earlier classes were pydantic models

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"{type(self).__name__}({args})"


class ModelConfig(_Section):
    """The "model" section: a preset, an architecture, or a Hugging Face config.json's keys."""
    section = "model"
    fields = ("name", "preset", "num_parameters", "num_layers", "hidden_size",
              "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size",
              "vocab_size", "max_seq_len", "max_position_embeddings", "mlp", "norm",
              "position_embedding", "tie_word_embeddings", "num_experts",
              "num_experts_per_tok", "moe_intermediate_size", "largest_layer_params",
              "model_type")


class TrainingConfig(_Section):
    """The "training" section."""
    section = "training"
    fields = ("batch_size", "gradient_accumulation_steps", "seq_len", "dtype", "precision",
              "optimizer", "activation_checkpointing", "attention", "loss", "compile",
              "finetune", "lora_rank", "lora_targets")


class ParallelismConfig(_Section):
    """The "parallelism" section."""
    section = "parallelism"
    fields = ("tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size",
              "context_parallel_size", "expert_parallel_size", "virtual_pipeline_stages",
              "sequence_parallel", "pipeline_schedule", "num_microbatches")


class EngineConfig(_Section):
    """The "engine" section."""
    section = "engine"
    fields = ("type", "framework", "zero_stage", "offload_optimizer", "offload_param",
              "sharding_strategy", "distributed_optimizer")


class GPUConfig(_Section):
    """The "hardware" section."""
    section = "hardware"
    fields = ("gpu", "num_gpus", "gpu_memory_gb", "gpus_per_node", "host_memory_per_node_gb")
