/* preset_id.c - gm_preset_id: the preset a typed name stands for, read as
 * the config readers read hardware.gpu and model.preset, so that a caller
 * (the page's GPU and model lists) cannot match names another way. */
#include "config.h"

#include <string.h>

const char *gm_preset_id(gm_preset_kind kind, const char *name) {
  /* The readers copy the string into a buffer of the row's size (char[hi],
   * schema.c) before the lookup, which cuts an overlong name: the same here. */
  const gm_key *row = kind == GM_PRESET_MODEL ? gm_schema_find(GM_SEC_MODEL, "preset", NULL)
                                              : gm_schema_find(GM_SEC_HARDWARE, "gpu", NULL);
  char buf[128];
  const char *id = NULL;
  gm_error err;
  gm_parse_ctx ctx = {&err, NULL, 0};
  cJSON v; /* on the stack: the call allocates nothing */
  size_t n;
  if (!name || !row || (kind != GM_PRESET_GPU && kind != GM_PRESET_MODEL))
    return NULL;
  n = (size_t)row->hi < sizeof buf ? (size_t)row->hi : sizeof buf;
  memset(&v, 0, sizeof v);
  v.type = cJSON_String | cJSON_IsReference;
  memcpy(&v.valuestring, &name, sizeof name); /* read only, never freed */
  if (gm_read_string(&ctx, &v, row->key, buf, n) == GM_OK) {
    if (kind == GM_PRESET_MODEL) {
      const gm_model_preset *p = gm_find_model_preset(buf);
      id = p ? p->id : NULL;
    } else {
      gm_gpu card;
      const gm_gpu_preset *g;
      if (gm_find_gpu(buf, &card) == GM_OK)
        for (g = gm_gpu_presets; g->id && !id; g++)
          if (strcmp(g->id, card.id) == 0)
            id = g->id; /* the table's, which outlives the call */
    }
  }
  return id;
}
