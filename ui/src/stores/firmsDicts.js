// Dictionaries of the enterprise employment guarantee (issue 4). The server's GET /api/v1/dicts does
// not carry these yet; they are the console's fallbacks (values are the API's, docs/FIRMS.md).
const d = (value, zh, en, tag = 'info') => ({ value, label_zh: zh, label_en: en, tag });

export const FIRMS_DICTS = {
  size_class: [
    d('large', '大型', 'Large', 'danger'), d('medium', '中型', 'Medium', 'warning'),
    d('small', '小型', 'Small', 'primary'), d('micro', '微型', 'Micro', 'info'), d('unknown', '未知', 'Unknown', 'info'),
  ],
  demand_status: [
    d('open', '招聘中', 'Open', 'primary'), d('partly_filled', '部分到岗', 'Partly filled', 'warning'),
    d('filled', '已满员', 'Filled', 'success'), d('cancelled', '已取消', 'Cancelled', 'info'), d('expired', '已过期', 'Expired', 'danger'),
  ],
  education: [
    d('none', '不限', 'Any'), d('junior_middle', '初中', 'Junior middle school'), d('senior_middle', '高中', 'Senior middle school'),
    d('secondary_vocational', '中专/技校', 'Secondary vocational'), d('junior_college', '大专', 'Junior college'),
    d('bachelor', '本科', 'Bachelor'), d('master', '硕士', 'Master'), d('doctorate', '博士', 'Doctorate'),
  ],
  measure_type: [
    d('special_recruitment', '专场招聘', 'Special recruitment session', 'primary'),
    d('labour_cooperation', '劳务协作', 'Labour cooperation', 'success'),
    d('training_order', '订单式培训', 'Training order', 'warning'),
    d('labour_sharing', '用工余缺调剂', 'Labour sharing', 'primary'),
    d('policy_support', '政策支持', 'Policy support', 'success'),
    d('other', '其他', 'Other', 'info'),
  ],
  measure_status: [
    d('planned', '计划中', 'Planned', 'info'), d('in_progress', '推进中', 'In progress', 'primary'),
    d('done', '已完成', 'Done', 'success'), d('cancelled', '已取消', 'Cancelled', 'info'),
  ],
  alert_level: [d('county', '县级', 'County', 'primary'), d('city', '市级', 'City', 'warning'), d('province', '省级', 'Province', 'danger')],
  alert_status: [d('open', '待响应', 'Open', 'danger'), d('acknowledged', '已响应', 'Acknowledged', 'warning'), d('resolved', '已解除', 'Resolved', 'success')],
  alert_deadline: [
    d('pending', '未到期', 'Pending', 'info'), d('met', '按时响应', 'Met', 'success'),
    d('missed', '超时', 'Missed', 'danger'), d('not_required', '无需响应', 'Not required', 'info'),
  ],
  alert_rule_kind: [
    d('openings_min', '缺工人数', 'Open openings at least'), d('openings_share', '缺工占用工比例', 'Share of headcount'),
    d('major_project', '重大项目企业', 'Major project enterprise'),
  ],
  project_stage: [
    d('planning', '谋划', 'Planning', 'info'), d('approved', '已审批', 'Approved', 'primary'), d('construction', '在建', 'Construction', 'warning'),
    d('commissioning', '试生产', 'Commissioning', 'primary'), d('production', '投产', 'Production', 'success'), d('suspended', '暂停', 'Suspended', 'danger'),
  ],
  zone_level: [d('national', '国家级', 'National', 'danger'), d('provincial', '省级', 'Provincial', 'warning')],
  zone_kind: [d('hitech', '高新区', 'High-tech zone', 'primary'), d('economic', '经开区', 'Economic zone', 'success'), d('other', '其他', 'Other', 'info')],
  team_level: [d('province', '省级', 'Province', 'danger'), d('city', '市级', 'City', 'warning'), d('county', '县级', 'County', 'primary')],
  division: [
    d('leadership', '局领导', 'Leadership', 'danger'), d('employment_talent', '就业人才科', 'Employment and talent', 'primary'),
    d('hr_mobility', '人力资源流动管理科', 'HR mobility', 'primary'), d('vocational_skills', '职业能力建设科', 'Vocational skills', 'success'),
    d('unemployment_insurance', '失业保险科', 'Unemployment insurance', 'warning'), d('labour_relations', '劳动关系科', 'Labour relations', 'warning'),
    d('public_service', '公共就业服务中心', 'Public employment service', 'success'), d('other', '其他', 'Other', 'info'),
  ],
  log_kind: [d('visit', '走访', 'Visit', 'primary'), d('call', '电话', 'Call', 'success'), d('online', '线上', 'Online', 'info')],
  grid_level: [d('county', '县级网格', 'County cell', 'danger'), d('township', '乡镇网格', 'Township cell', 'warning'), d('village', '村级网格', 'Village cell', 'primary')],
  grid_duty: [d('lead', '网格长', 'Grid lead', 'danger'), d('member', '网格员', 'Grid member', 'primary')],
  target_kind: [d('enterprise', '重点企业', 'Key enterprise', 'primary'), d('zone', '开发区', 'Development zone', 'success'), d('project', '重大项目', 'Major project', 'warning')],
  timeline_type: [
    d('registered', '登记', 'Registered', 'info'), d('service_log', '服务记录', 'Service log', 'primary'),
    d('assignment_start', '专员到位', 'Specialist assigned', 'success'), d('assignment_end', '专员撤离', 'Assignment ended', 'info'),
    d('project_start', '项目开工', 'Project start', 'warning'), d('project_production', '项目投产', 'Project production', 'success'),
  ],
};
