/* _core.c - the C core as a CPython extension: calc_json and the presets,
 * JSON text in and out, so Python sees exactly what the CLI and WASM see. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gpumem.h"

/* Text the core allocated, as a Python str, freed here; NULL from the core
 * means it ran out of memory. */
static PyObject *owned_text(char *out) {
  PyObject *result;
  if (!out)
    return PyErr_NoMemory();
  result = PyUnicode_FromString(out);
  calc_free(out);
  return result;
}

/* A JSON-in, JSON-out function of the core called with one str argument.
 * The core keeps no global state: other threads run meanwhile. */
static PyObject *call_json(PyObject *args, const char *format, char *(*fn)(const char *)) {
  const char *text;
  char *out;
  PyThreadState *saved;
  if (!PyArg_ParseTuple(args, format, &text))
    return NULL;
  saved = PyEval_SaveThread();
  out = fn(text);
  PyEval_RestoreThread(saved);
  return owned_text(out);
}

static PyObject *core_calc_json(PyObject *self, PyObject *args) {
  (void)self;
  return call_json(args, "s:calc_json", calc_json);
}

static PyObject *core_plan_json(PyObject *self, PyObject *args) {
  (void)self;
  return call_json(args, "s:plan_json", plan_json);
}

static PyObject *core_import_json(PyObject *self, PyObject *args) {
  const char *kind, *text;
  (void)self;
  if (!PyArg_ParseTuple(args, "ss:import_json", &kind, &text))
    return NULL;
  return owned_text(import_json(kind, text));
}

static PyObject *core_presets_json(PyObject *self, PyObject *args) {
  (void)self;
  (void)args;
  return PyUnicode_FromString(gm_presets_json());
}

static PyMethodDef core_methods[] = {
    {"calc_json", core_calc_json, METH_VARARGS,
     "calc_json(config_json: str) -> str: the result, or {\"error\": ...}, as JSON text."},
    {"plan_json", core_plan_json, METH_VARARGS,
     "plan_json(request_json: str) -> str: the layouts that fit, as JSON."},
    {"import_json", core_import_json, METH_VARARGS,
     "import_json(kind: str, text: str) -> str: a launcher's file read as a config, as JSON."},
    {"presets_json", core_presets_json, METH_NOARGS,
     "presets_json() -> str: the embedded GPU and model presets as JSON text."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef core_module = {PyModuleDef_HEAD_INIT,
                                         "_core",
                                         "The gpu-mem-calc C core.",
                                         -1,
                                         core_methods,
                                         NULL,
                                         NULL,
                                         NULL,
                                         NULL};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&core_module); }
