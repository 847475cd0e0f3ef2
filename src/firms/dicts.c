/* The firms dictionaries: labels of the validators' value tables (see dicts.h). */
#include "firms/dicts.h"
#include <stddef.h>
#include <string.h>

bool np_firms_in_list(const char *v, const char *const *list) {
  if (!v || !list) return false;
  for (size_t i = 0; list[i]; i++)
    if (strcmp(v, list[i]) == 0) return true;
  return false;
}

const np_firms_dict_t np_firms_dicts[] = {
  {"size_class", np_firms_size_classes},
  {"project_stage", np_firms_project_stages},
  {"zone_level", np_firms_zone_levels},
  {"zone_kind", np_firms_zone_kinds},
  {"demand_status", np_firms_demand_status_values},
  {"education", np_firms_education_values},
  {"demand_action", np_firms_demand_actions},
  {"measure_type", np_firms_measure_types},
  {"measure_status", np_firms_measure_statuses},
  {"alert_rule_kind", np_firms_alert_rule_kinds},
  {"alert_level", np_firms_alert_levels},
  {"alert_status", np_firms_alert_statuses},
  {"alert_deadline", np_firms_alert_deadlines},
  {"alert_action", np_firms_alert_actions},
  {"team_level", np_firms_team_levels},
  {"division", np_firms_divisions},
  {"target_kind", np_firms_target_kinds},
  {"grid_level", np_firms_grid_levels},
  {"grid_duty", np_firms_grid_duties},
  {"log_kind", np_firms_log_kinds},
  {"timeline_type", np_firms_timeline_types},
  {NULL, NULL},
};

typedef struct label {
  const char *dict, *value, *zh, *en, *tag;
} label_t;

/* Labels and tag colours (Element Plus tag types: primary, success, info, warning, danger). */
static const label_t labels[] = {
  {"size_class", "unknown", "未知", "Unknown", "info"},
  {"size_class", "micro", "微型", "Micro", "info"},
  {"size_class", "small", "小型", "Small", "primary"},
  {"size_class", "medium", "中型", "Medium", "warning"},
  {"size_class", "large", "大型", "Large", "danger"},
  {"project_stage", "planning", "谋划", "Planning", "info"},
  {"project_stage", "approved", "已审批", "Approved", "primary"},
  {"project_stage", "construction", "在建", "Construction", "warning"},
  {"project_stage", "commissioning", "试生产", "Commissioning", "primary"},
  {"project_stage", "production", "投产", "Production", "success"},
  {"project_stage", "suspended", "暂停", "Suspended", "danger"},
  {"zone_level", "national", "国家级", "National", "danger"},
  {"zone_level", "provincial", "省级", "Provincial", "warning"},
  {"zone_kind", "hitech", "高新区", "High-tech zone", "primary"},
  {"zone_kind", "economic", "经开区", "Economic zone", "success"},
  {"zone_kind", "other", "其他", "Other", "info"},
  {"demand_status", "open", "招聘中", "Open", "primary"},
  {"demand_status", "partly_filled", "部分到岗", "Partly filled", "warning"},
  {"demand_status", "filled", "已满员", "Filled", "success"},
  {"demand_status", "cancelled", "已取消", "Cancelled", "info"},
  {"demand_status", "expired", "已过期", "Expired", "danger"},
  {"education", "none", "不限", "Any", "info"},
  {"education", "junior_middle", "初中", "Junior middle school", "info"},
  {"education", "senior_middle", "高中", "Senior middle school", "info"},
  {"education", "secondary_vocational", "中专/技校", "Secondary vocational", "info"},
  {"education", "junior_college", "大专", "Junior college", "info"},
  {"education", "bachelor", "本科", "Bachelor", "info"},
  {"education", "master", "硕士", "Master", "info"},
  {"education", "doctorate", "博士", "Doctorate", "info"},
  {"demand_action", "create", "新增", "Created", "primary"},
  {"demand_action", "update", "修改", "Changed", "info"},
  {"demand_action", "status", "取消", "Cancelled", "warning"},
  {"demand_action", "hire", "登记到岗", "Hires recorded", "success"},
  {"demand_action", "expire", "过期", "Expired", "danger"},
  {"measure_type", "special_recruitment", "专场招聘", "Special recruitment session", "primary"},
  {"measure_type", "labour_cooperation", "劳务协作", "Labour cooperation", "success"},
  {"measure_type", "training_order", "订单式培训", "Training order", "warning"},
  {"measure_type", "labour_sharing", "用工余缺调剂", "Labour sharing", "primary"},
  {"measure_type", "policy_support", "政策支持", "Policy support", "success"},
  {"measure_type", "other", "其他", "Other", "info"},
  {"measure_status", "planned", "计划中", "Planned", "info"},
  {"measure_status", "in_progress", "推进中", "In progress", "primary"},
  {"measure_status", "done", "已完成", "Done", "success"},
  {"measure_status", "cancelled", "已取消", "Cancelled", "info"},
  {"alert_rule_kind", "openings_min", "缺工人数", "Open openings at least", "info"},
  {"alert_rule_kind", "openings_share", "缺工占用工比例", "Share of headcount", "info"},
  {"alert_rule_kind", "major_project", "重大项目企业", "Major project enterprise", "info"},
  {"alert_level", "county", "县级", "County", "primary"},
  {"alert_level", "city", "市级", "City", "warning"},
  {"alert_level", "province", "省级", "Province", "danger"},
  {"alert_status", "open", "待响应", "Open", "danger"},
  {"alert_status", "acknowledged", "已响应", "Acknowledged", "warning"},
  {"alert_status", "resolved", "已解除", "Resolved", "success"},
  {"alert_deadline", "pending", "未到期", "Pending", "info"},
  {"alert_deadline", "met", "按时响应", "Met", "success"},
  {"alert_deadline", "missed", "超时", "Missed", "danger"},
  {"alert_deadline", "not_required", "无需响应", "Not required", "info"},
  {"alert_action", "raise", "发出预警", "Raised", "danger"},
  {"alert_action", "escalate", "逾期升级", "Escalated", "warning"},
  {"alert_action", "ack", "响应", "Acknowledged", "primary"},
  {"alert_action", "resolve", "解除", "Resolved", "success"},
  {"alert_action", "rearm", "恢复监测", "Re-armed", "info"},
  {"team_level", "province", "省级", "Province", "danger"},
  {"team_level", "city", "市级", "City", "warning"},
  {"team_level", "county", "县级", "County", "primary"},
  {"division", "leadership", "局领导", "Leadership", "danger"},
  {"division", "employment_talent", "就业人才科", "Employment and talent", "primary"},
  {"division", "hr_mobility", "人力资源流动管理科", "HR mobility", "primary"},
  {"division", "vocational_skills", "职业能力建设科", "Vocational skills", "success"},
  {"division", "unemployment_insurance", "失业保险科", "Unemployment insurance", "warning"},
  {"division", "labour_relations", "劳动关系科", "Labour relations", "warning"},
  {"division", "public_service", "公共就业服务中心", "Public employment service", "success"},
  {"division", "other", "其他", "Other", "info"},
  {"target_kind", "enterprise", "重点企业", "Key enterprise", "primary"},
  {"target_kind", "zone", "开发区", "Development zone", "success"},
  {"target_kind", "project", "重大项目", "Major project", "warning"},
  {"grid_level", "county", "县级网格", "County cell", "danger"},
  {"grid_level", "township", "乡镇网格", "Township cell", "warning"},
  {"grid_level", "village", "村级网格", "Village cell", "primary"},
  {"grid_duty", "lead", "网格长", "Grid lead", "danger"},
  {"grid_duty", "member", "网格员", "Grid member", "primary"},
  {"log_kind", "visit", "走访", "Visit", "primary"},
  {"log_kind", "call", "电话", "Call", "success"},
  {"log_kind", "online", "线上", "Online", "info"},
  {"timeline_type", "registered", "登记", "Registered", "info"},
  {"timeline_type", "assignment_start", "专员到位", "Specialist assigned", "success"},
  {"timeline_type", "assignment_end", "专员撤离", "Assignment ended", "info"},
  {"timeline_type", "service_log", "服务记录", "Service log", "primary"},
  {"timeline_type", "project_start", "项目开工", "Project start", "warning"},
  {"timeline_type", "project_production", "项目投产", "Project production", "success"},
};

bool np_firms_dict_label(const char *dict, const char *value, const char **zh, const char **en, const char **tag) {
  for (size_t i = 0; dict && value && i < sizeof labels / sizeof labels[0]; i++)
    if (strcmp(labels[i].dict, dict) == 0 && strcmp(labels[i].value, value) == 0) {
      if (zh) *zh = labels[i].zh;
      if (en) *en = labels[i].en;
      if (tag) *tag = labels[i].tag;
      return true;
    }
  return false;
}

json_t *np_firms_dicts_json(void) {
  json_t *o = json_object();
  if (!o) return NULL;
  for (size_t d = 0; np_firms_dicts[d].name; d++) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && np_firms_dicts[d].values[i]; i++) {
      const char *v = np_firms_dicts[d].values[i], *zh = v, *en = v, *tag = "info";
      np_firms_dict_label(np_firms_dicts[d].name, v, &zh, &en, &tag);
      json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "value", v, "label_zh", zh, "label_en", en, "tag", tag));
    }
    json_object_set_new(o, np_firms_dicts[d].name, arr ? arr : json_array());
  }
  return o;
}
