"""Builds the Python package's extension from the same C core as the CLI.

The presets' C tables come from the Makefile's generator (make runs it). cJSON is
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
# libyaml's parser (scripts/fetch_libyaml.sh), for the YAML importers.
YAML_DIR = os.path.join(HERE, os.environ.get("YAML_DIR", "build/third_party/libyaml"))
YAML_SRC = [os.path.join(YAML_DIR, n + ".c") for n in ("api", "reader", "scanner", "parser")]


class BuildExt(build_ext):
    """Writes the presets C file into the build directory before compiling."""

    def build_extensions(self):
        # The Makefile's generator checks the presets and writes their C tables.
        build = os.path.abspath(os.path.join(self.build_temp, "gm"))
        gen = os.path.join(build, "gen", "presets_data.c")
        subprocess.run(["make", "-s", "BUILD=" + build, gen], cwd=HERE, check=True)
        for ext in self.extensions:
            ext.sources.append(gen)
        # The C++ file (core/import_toml.cc) takes C++17 instead of gnu11.
        compile_one = self.compiler._compile

        def compile_cc(obj, src, ext, cc_args, extra_postargs, pp_opts):
            if src.endswith(".cc"):
                extra_postargs = [a for a in extra_postargs if a != "-std=gnu11"] + [
                    "-std=c++17", "-fno-exceptions", "-fno-rtti"]
            compile_one(obj, src, ext, cc_args, extra_postargs, pp_opts)

        self.compiler._compile = compile_cc
        super().build_extensions()


core = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "core", "*.c")))
if os.path.exists(CJSON_SRC):
    cjson = dict(sources=[os.path.relpath(CJSON_SRC, HERE)], include_dirs=[CJSON_DIR],
                 libraries=["m"])
else:
    cjson = dict(sources=[], include_dirs=["/usr/include/cjson"], libraries=["cjson", "m"])
yaml = dict(sources=[], include_dirs=[], macros=[])
if all(os.path.exists(p) for p in YAML_SRC):
    yaml = dict(sources=[os.path.relpath(p, HERE) for p in YAML_SRC], include_dirs=[YAML_DIR],
                macros=[("GM_YAML", None), ("YAML_VERSION_MAJOR", "0"), ("YAML_VERSION_MINOR", "2"),
                        ("YAML_VERSION_PATCH", "5"), ("YAML_VERSION_STRING", '"0.2.5"')])
# toml++'s headers (scripts/fetch_tomlplusplus.sh), for the torchtitan importer:
# core/import_toml.cc, the one C++ file, built without exceptions.
TOML_DIR = os.path.join(HERE, os.environ.get("TOML_DIR", "build/third_party/tomlplusplus"))
toml = dict(sources=[], include_dirs=[], macros=[], libraries=[])
if yaml["sources"] and os.path.exists(os.path.join(TOML_DIR, "toml++", "toml.h")):
    toml = dict(sources=["core/import_toml.cc"], include_dirs=[TOML_DIR], libraries=["stdc++"],
                macros=[("GM_TOML", None), ("TOML_EXCEPTIONS", "0"), ("TOML_HEADER_ONLY", "1"),
                        ("TOML_ENABLE_FORMATTERS", "0")])
setup(
    ext_modules=[
        Extension(
            "gpu_mem_calculator._core",
            sources=["python/gpu_mem_calculator/_core.c"] + core + cjson["sources"]
            + yaml["sources"] + toml["sources"],
            include_dirs=["core"] + cjson["include_dirs"] + yaml["include_dirs"]
            + toml["include_dirs"],
            define_macros=yaml["macros"] + toml["macros"],
            libraries=cjson["libraries"] + toml["libraries"],
            # gnu11: libyaml uses strdup.
            extra_compile_args=["-std=gnu11"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
