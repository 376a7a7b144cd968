/* import_toml.cc - a TOML document as a cJSON tree, for the torchtitan
 * importer (import_torchtitan.c). The parsing is toml++'s (3.3.0, header
 * only, fetched by scripts/fetch_tomlplusplus.sh), built without exceptions;
 * this file only walks its tree. Tables become objects, arrays arrays,
 * integers and floats numbers, booleans booleans; dates and times become
 * their TOML text, and inf/nan the strings "inf", "-inf", "nan", so that no
 * number that JSON cannot hold reaches the mapping. */
#include <cJSON.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

/* toml++ 3.3.0 asserts that the character after a table header's "[" starts
 * a key before it checks it (a line holding only "[" aborts), although its
 * key parser reports that very case as an error. Its assertions are left out,
 * as in its release builds, but without NDEBUG, which would turn them into
 * optimiser assumptions; tests/fuzz_import.c fuzzes it under ASan and UBSan. */
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

/* Declared for C in import.h. */
extern "C" cJSON *gm_toml_parse(const char *text, char *msg, size_t n);

namespace {

cJSON *convert(const toml::node &n);

cJSON *from_table(const toml::table &t) {
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return nullptr;
  for (auto &&kv : t) {
    std::string key(kv.first.str());
    cJSON *v = convert(kv.second);
    if (!v || !cJSON_AddItemToObject(o, key.c_str(), v)) {
      cJSON_Delete(v);
      cJSON_Delete(o);
      return nullptr;
    }
  }
  return o;
}

cJSON *from_array(const toml::array &a) {
  cJSON *o = cJSON_CreateArray();
  if (!o)
    return nullptr;
  for (auto &&e : a) {
    cJSON *v = convert(e);
    if (!v || !cJSON_AddItemToArray(o, v)) {
      cJSON_Delete(v);
      cJSON_Delete(o);
      return nullptr;
    }
  }
  return o;
}

cJSON *from_date(const toml::date *d, const toml::time *t, const toml::time_offset *off) {
  char s[48];
  size_t n = 0;
  if (d)
    n += (size_t)std::snprintf(s + n, sizeof s - n, "%04u-%02u-%02u", (unsigned)d->year,
                               (unsigned)d->month, (unsigned)d->day);
  if (d && t)
    s[n++] = 'T';
  if (t)
    n += (size_t)std::snprintf(s + n, sizeof s - n, "%02u:%02u:%02u", (unsigned)t->hour,
                               (unsigned)t->minute, (unsigned)t->second);
  if (t && t->nanosecond)
    n += (size_t)std::snprintf(s + n, sizeof s - n, ".%09u", (unsigned)t->nanosecond);
  if (off) {
    int m = off->minutes < 0 ? -off->minutes : off->minutes;
    std::snprintf(s + n, sizeof s - n, "%c%02d:%02d", off->minutes < 0 ? '-' : '+', m / 60, m % 60);
  }
  return cJSON_CreateString(s);
}

cJSON *convert(const toml::node &n) {
  switch (n.type()) {
  case toml::node_type::table:
    return from_table(*n.as_table());
  case toml::node_type::array:
    return from_array(*n.as_array());
  case toml::node_type::string:
    return cJSON_CreateString(n.as_string()->get().c_str());
  case toml::node_type::integer:
    return cJSON_CreateNumber((double)n.as_integer()->get());
  case toml::node_type::floating_point: {
    double v = n.as_floating_point()->get();
    if (std::isnan(v))
      return cJSON_CreateString("nan");
    if (std::isinf(v))
      return cJSON_CreateString(v < 0 ? "-inf" : "inf");
    return cJSON_CreateNumber(v);
  }
  case toml::node_type::boolean:
    return cJSON_CreateBool(n.as_boolean()->get() ? 1 : 0);
  case toml::node_type::date:
    return from_date(&n.as_date()->get(), nullptr, nullptr);
  case toml::node_type::time:
    return from_date(nullptr, &n.as_time()->get(), nullptr);
  case toml::node_type::date_time: {
    const toml::date_time &dt = n.as_date_time()->get();
    return from_date(&dt.date, &dt.time, dt.offset ? &*dt.offset : nullptr);
  }
  default:
    return cJSON_CreateNull();
  }
}

} // namespace

extern "C" cJSON *gm_toml_parse(const char *text, char *msg, size_t n) {
  unsigned line = 1, column = 1;
  msg[0] = '\0';
  /* TOML allows no control character but tab and line ends anywhere: said
   * here with the character's code, which toml++ would print raw. */
  for (const char *p = text; *p; p++, column++) {
    unsigned char c = (unsigned char)*p;
    if (c == '\n') {
      line++;
      column = 0;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      std::snprintf(msg, n,
                    "line %u, column %u: a control character (0x%02X), which TOML does not allow",
                    line, column, c);
      return nullptr;
    }
  }
  toml::parse_result r = toml::parse(std::string_view(text, std::strlen(text)));
  if (!r) {
    const toml::parse_error &e = r.error();
    std::string what(e.description());
    std::snprintf(msg, n, "line %u, column %u: %s", (unsigned)e.source().begin.line,
                  (unsigned)e.source().begin.column, what.c_str());
    return nullptr;
  }
  cJSON *doc = from_table(r.table());
  if (!doc)
    std::snprintf(msg, n, "out of memory");
  return doc;
}
