// imports.js - the functions the WebAssembly module imports, declared for
// emcc (--js-library) so that it links them as imports; wasm/gpumem.js
// supplies them at instantiation.
mergeInto(LibraryManager.library, {
  // The double nearest to the decimal number in the len bytes at text (wasm/strtod.c).
  gm_parse_number: function (text, len) {},
});
