"""Builds the Python package's extension from the same C core as the CLI.

The presets are embedded as the Makefile does (scripts/embed.sh); cJSON is the
system library (libcjson-dev), as for the native CLI.
"""
import glob
import os
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CJSON_INCLUDE = os.environ.get("CJSON_INCLUDE", "/usr/include/cjson")


class BuildExt(build_ext):
    """Writes the presets C file into the build directory before compiling."""

    def build_extensions(self):
        gen = os.path.join(self.build_temp, "gen", "presets_data.c")
        os.makedirs(os.path.dirname(gen), exist_ok=True)
        with open(gen, "w") as out:
            subprocess.run(
                ["sh", "scripts/embed.sh", "presets/gpus.json", "presets/models.json"],
                cwd=HERE, stdout=out, check=True)
        for ext in self.extensions:
            ext.sources.append(gen)
        super().build_extensions()


core = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "core", "*.c")))
setup(
    ext_modules=[
        Extension(
            "gpu_mem_calculator._core",
            sources=["python/gpu_mem_calculator/_core.c"] + core,
            include_dirs=["core", CJSON_INCLUDE],
            libraries=["cjson", "m"],
            extra_compile_args=["-std=c11"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
