"""Names for what the audit trail records: each action, and each key an entry keeps beside the
record's own fields (those take their label from the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import LeaderRole

# The action codes written by ``audit_record`` (``tests/organizations/test_audit_log.py`` finds
# them in the source); a code missing here is shown as it is.
ACTION_LABELS: dict[str, Any] = {
    # organisations, people, seats, memberships, teams, roles
    "person_register": _("登记人员"),
    "person_link": _("将已登记人员加入组织"),
    "person_update": _("修改人员信息"),
    "leader_role_add": _("添加三长/泛三长身份"),
    "leader_role_end": _("卸任三长/泛三长身份"),
    "membership_add": _("加入组织"),
    "membership_end": _("退出组织"),
    "seat_create": _("添加职务"),
    "seat_update": _("修改职务"),
    "team_create": _("成立服务队"),
    "team_update": _("修改服务队"),
    "team_volunteer_add": _("加入服务队"),
    "team_volunteer_remove": _("退出服务队"),
    "organization_create": _("新建组织"),
    "organization_update": _("修改组织信息"),
    "role_assign": _("分配角色"),
    "role_revoke": _("撤销角色"),
    "admin_create": _("在后台新建记录"),
    "admin_update": _("在后台修改记录"),
    "admin_delete": _("在后台删除记录"),
    "people_export_full": _("导出完整个人信息"),
    "import_upload": _("上传导入文件"),
    "import_commit": _("确认导入"),
    "import_discard": _("放弃导入"),
    # accounts
    "lockout_release": _("解除登录锁定"),
    "account_require_password_change": _("要求修改密码"),
    "account_password_change": _("修改密码"),
    "account_password_reset": _("通过邮件重置密码"),
    # the service ledger
    "activity_create": _("登记活动"),
    "activity_update": _("修改活动"),
    "activity_publish": _("公开到公众日历"),
    "activity_unpublish": _("从公众日历撤下"),
    "evidence_add": _("上传佐证材料"),
    "evidence_delete": _("删除佐证材料"),
    "volunteer_hours_change": _("录入或更正服务时长"),
    "volunteer_records_export": _("导出志愿服务记录"),
    "closed_period_correction": _("更正已关闭季度的台账"),
    # outreach
    "campaign_create": _("新建系列活动"),
    "campaign_update": _("修改系列活动"),
    "campaign_add_activities": _("将活动加入系列活动"),
    "campaign_remove_activity": _("将活动移出系列活动"),
    "activity_outreach_set": _("设置活动所属系列活动和主题日"),
    "themed_day_tag": _("登记为主题日活动"),
    "themed_day_untag": _("取消主题日活动"),
    "channel_post_create": _("登记宣传发布"),
    "channel_post_update": _("修改宣传发布"),
    "channel_post_delete": _("删除宣传发布"),
    # the rollout
    "phase_update": _("修改阶段"),
    "stage_update": _("修改子阶段"),
    "milestone_create": _("添加里程碑"),
    "milestone_update": _("修改里程碑"),
    "task_create": _("添加推进任务"),
    "task_update": _("修改推进任务"),
    "pilot_create": _("确定试点"),
    "pilot_update": _("修改试点"),
    "steering_member_create": _("添加指导组成员"),
    "steering_member_update": _("修改指导组成员"),
    "inspection_create": _("记录督查"),
    "inspection_update": _("修改督查"),
    "rectification_create": _("添加整改事项"),
    "rectification_update": _("修改整改事项"),
    "showcase_nominate": _("推荐典型"),
    "showcase_update": _("修改典型"),
    "showcase_approve": _("审核通过典型"),
    "showcase_publish": _("发布典型"),
    "showcase_unpublish": _("撤回已发布的典型"),
    "showcase_reject": _("不予采用典型"),
    "showcase_renominate": _("重新推荐典型"),
    "incentive_create": _("记录激励"),
    "incentive_update": _("修改激励"),
    "quarter_close": _("关闭季度"),
    "quarter_reopen": _("重新开放季度"),
    "quarter_report_issue": _("印发季度督查通报"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


@dataclass(frozen=True)
class Key:
    """How one key of an entry's ``changes`` reads.

    ``is_field``: the key is a field of the record, so that a two-item list is its value before
    and after; other keys (the organisation a person was registered in, an export's row
    count) are shown as they are. ``related``: the model label of the rows the values name.
    ``many``: the value is a list (a set of rows, or a list field). ``display``: turns a list
    of codes into their labels."""

    label: Any
    is_field: bool = False
    related: str = ""
    choices: dict[Any, Any] | None = None
    many: bool = False
    is_datetime: bool = False
    display: Any = None


# Keys that are not fields of the record they are written on.
EXTRA_KEYS: dict[str, Key] = {
    "organization": Key(_("组织"), related="organizations.organization"),
    "leader_kind": Key(_("三长/泛三长身份"), choices=dict(LeaderRole.Kind.choices)),
    "activity": Key(_("活动"), related="services.activity"),
    "activities": Key(_("活动"), related="services.activity", many=True),
    "count": Key(_("条数")),
    "rows": Key(_("记录条数")),
    "filters": Key(_("筛选条件")),
    "reason": Key(_("原因")),
    "year": Key(_("年度")),
    "quarter": Key(_("季度")),
    "periods": Key(_("季度"), many=True),
    "write": Key(_("更正的操作"), choices=ACTION_LABELS),
    "failures": Key(_("失败次数")),
    "last_attempt": Key(_("最近一次失败"), is_datetime=True),
    "must_change": Key(_("须修改密码")),
    "username": Key(_("账号")),
    "ip_address": Key(_("地址")),
}
