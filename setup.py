"""Builds the Python package's extension from the same C core as the CLI.

The presets are embedded as the Makefile does (scripts/embed.sh). cJSON is
compiled in from the checked source scripts/fetch_cjson.sh unpacks (CJSON_DIR,
build/third_party/cjson by default) when it is there, as for the native
programs and WebAssembly; otherwise the system's libcjson-dev is linked.
"""
import glob
import os
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CJSON_DIR = os.path.join(HERE, os.environ.get("CJSON_DIR", "build/third_party/cjson"))
CJSON_SRC = os.path.join(CJSON_DIR, "cJSON.c")


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
if os.path.exists(CJSON_SRC):
    cjson = dict(sources=[os.path.relpath(CJSON_SRC, HERE)], include_dirs=[CJSON_DIR],
                 libraries=["m"])
else:
    cjson = dict(sources=[], include_dirs=["/usr/include/cjson"], libraries=["cjson", "m"])
setup(
    ext_modules=[
        Extension(
            "gpu_mem_calculator._core",
            sources=["python/gpu_mem_calculator/_core.c"] + core + cjson["sources"],
            include_dirs=["core"] + cjson["include_dirs"],
            libraries=cjson["libraries"],
            extra_compile_args=["-std=c11"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
