/*
 * The firms dictionaries (GET /api/v1/dicts): the value tables the firms validators check input
 * against, in display order and NULL-terminated, each defined by the unit that validates it, and
 * their labels (zh-CN, en) and tag colours, kept in dicts.c. The served values are the validators'
 * own tables; a value without a label is served with the value as its label (and the unit test
 * test_firms_dicts fails), so the API, the validators and the console cannot drift apart.
 */
#ifndef NP_FIRMS_DICTS_H
#define NP_FIRMS_DICTS_H
#include <jansson.h>
#include <stdbool.h>

/* size.c */
extern const char *const np_firms_size_classes[];
/* projects.c */
extern const char *const np_firms_project_stages[];
/* zones.c */
extern const char *const np_firms_zone_levels[];
extern const char *const np_firms_zone_kinds[];
/* demands.c */
extern const char *const np_firms_demand_status_values[];
extern const char *const np_firms_education_values[];
extern const char *const np_firms_demand_actions[];
/* plans.c */
extern const char *const np_firms_measure_types[];
extern const char *const np_firms_measure_statuses[];
/* alerts.c */
extern const char *const np_firms_alert_rule_kinds[];
extern const char *const np_firms_alert_levels[];
extern const char *const np_firms_alert_statuses[];
extern const char *const np_firms_alert_deadlines[];
extern const char *const np_firms_alert_actions[];
/* teams.c */
extern const char *const np_firms_team_levels[];
extern const char *const np_firms_divisions[];
/* specialists.c */
extern const char *const np_firms_target_kinds[];
/* grid.c */
extern const char *const np_firms_grid_levels[];
extern const char *const np_firms_grid_duties[];
/* servicelog.c */
extern const char *const np_firms_log_kinds[];
extern const char *const np_firms_timeline_types[];

/** True when v is one of the NULL-terminated list (false for NULL). */
bool np_firms_in_list(const char *v, const char *const *list);

/** One dictionary: its name in GET /api/v1/dicts and the validator's value table. */
typedef struct np_firms_dict {
  const char *name;
  const char *const *values;
} np_firms_dict_t;

/** The firms dictionaries, terminated by {NULL, NULL}. */
extern const np_firms_dict_t np_firms_dicts[];

/** Label of a value: zh-CN, en and tag colour; false when the value has no label. */
bool np_firms_dict_label(const char *dict, const char *value, const char **zh, const char **en, const char **tag);

/**
 * {"size_class":[{"value","label_zh","label_en","tag"}…], "project_stage":[…], …}: every firms
 * dictionary, values from the validators' tables, for GET /api/v1/dicts (new reference).
 */
json_t *np_firms_dicts_json(void);

#endif
