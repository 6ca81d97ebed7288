"""Column headers that sort a list, and the breadcrumb trail of a page.

``{% sort_th "name" _("姓名") %}`` renders a ``<th>`` whose link sorts the list by that column
(or reverses it when it is the current one), keeping every other query parameter and going
back to the first page; ``aria-sort`` and an arrow show the current order. It reads ``sort``
(organizations.sorting.Sort) and ``request`` from the context; a table included in a page that
does not sort (a record's own tasks) gets a plain header.

``{% breadcrumbs _("会员") "organizations:person_list" person _("编辑") %}`` renders
首页 › 会员 › 张三 › 编辑: labels and their targets in pairs, the last label alone being the
page itself. A target is a URL name, a record (its ``get_absolute_url``) or a path.
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from organizations.sorting import PARAMETER

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label, classes: str = ""):
    sort = context.get("sort")
    request = context.get("request")
    if sort is None or request is None:
        return format_html("<th{}>{}</th>", format_html(' class="{}"', classes) if classes else "", label)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("cursor", None)  # a new order starts from its first page
    current = sort.key == key
    params[PARAMETER] = f"-{key}" if current and not sort.descending else key
    if not current:
        aria, icon, hint = "none", "bi-arrow-down-up text-body-tertiary", _("点击排序")
    elif sort.descending:
        aria, icon, hint = "descending", "bi-sort-down", _("降序，点击改为升序")
    else:
        aria, icon, hint = "ascending", "bi-sort-up", _("升序，点击改为降序")
    return format_html(
        '<th aria-sort="{}"{}><a class="sort-link text-reset text-decoration-none" href="?{}" title="{}">'
        '{} <i class="bi {}" aria-hidden="true"></i></a></th>',
        aria,
        format_html(' class="{}"', classes) if classes else "",
        params.urlencode(),
        hint,
        label,
        icon,
    )


def _href(target) -> str:
    if target is None or target == "":
        return ""
    if hasattr(target, "get_absolute_url"):
        return target.get_absolute_url()
    target = str(target)
    if target.startswith(("/", "?")):
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return ""


def _trail(items) -> dict:
    *pairs, current = items if len(items) % 2 else (*items, None)
    trail = [(_("首页"), reverse("home"))]
    trail += [(pairs[index], _href(pairs[index + 1])) for index in range(0, len(pairs), 2)]
    if current is not None:
        trail.append((current, ""))
    return {"trail": trail[:-1], "current": trail[-1][0]}


@register.inclusion_tag("organizations/includes/breadcrumbs.html")
def breadcrumbs(*items):
    """首页, then (label, target) pairs, then the current page's label."""
    return _trail(items)


# The list each kind of record is reached from, by the menu's names: (list URL, label).
SECTIONS = {
    "organizations:organization_list": pgettext_lazy("nav", "组织"),
    "organizations:person_list": pgettext_lazy("nav", "会员"),
    "organizations:leader_list": pgettext_lazy("nav", "三长/泛三长"),
    "organizations:seat_list": pgettext_lazy("nav", "领导机构"),
    "organizations:team_list": pgettext_lazy("nav", "志愿服务队"),
    "services:activity_list": pgettext_lazy("nav", "服务活动"),
    "services:team_list": gettext_lazy("志愿服务时长"),
    "outreach:campaign_list": pgettext_lazy("nav", "系列活动"),
    "outreach:themed_day_list": gettext_lazy("主题日日历"),
    "outreach:post_list": pgettext_lazy("nav", "宣传发布"),
    "rollout:overview": pgettext_lazy("nav", "推进计划"),
    "rollout:task_list": pgettext_lazy("nav", "推进任务"),
    "rollout:supervision": pgettext_lazy("nav", "督查与整改"),
    "rollout:inspection_list": pgettext_lazy("nav", "督查与整改"),
    "rollout:rectification_list": pgettext_lazy("nav", "整改事项"),
    "rollout:steering_group": pgettext_lazy("nav", "专项指导组"),
    "rollout:showcase_manage": pgettext_lazy("nav", "典型选树"),
    "rollout:incentive_list": pgettext_lazy("nav", "激励机制"),
    "rollout:term_list": pgettext_lazy("nav", "换届提醒"),
    "reports:list": pgettext_lazy("nav", "报表导出"),
    "reports:quarter_list": pgettext_lazy("nav", "季度关闭"),
}
RECORD_SECTIONS = {
    "organizations.organization": "organizations:organization_list",
    "organizations.person": "organizations:person_list",
    "organizations.seat": "organizations:seat_list",
    "organizations.volunteerteam": "organizations:team_list",
    "services.activity": "services:activity_list",
    "outreach.campaign": "outreach:campaign_list",
    "outreach.themedday": "outreach:themed_day_list",
    "rollout.task": "rollout:task_list",
    "rollout.pilot": "rollout:overview",
    "rollout.inspection": "rollout:supervision",
    "rollout.rectification": "rollout:rectification_list",
    "rollout.showcaseitem": "rollout:showcase_manage",
    "rollout.incentive": "rollout:incentive_list",
    "rollout.reportrun": "reports:list",
    "rollout.closedperiod": "reports:quarter_list",
}


def _section(url_name: str) -> list:
    return [SECTIONS[url_name], url_name] if url_name in SECTIONS else []


def _record_items(record) -> list:
    """The section a record belongs to, then the record: [label, target, label, target]."""
    url_name = RECORD_SECTIONS.get(record._meta.label_lower, "")
    return [*_section(url_name), str(record), record]


@register.inclusion_tag("organizations/includes/breadcrumbs.html")
def record_breadcrumbs(record, *items):
    """首页 › the record's list › the record (› what follows: label/target pairs and a last label).
    Without ``items`` the record is the page itself."""
    found = _record_items(record)
    if not items:
        return _trail([*found[:-1]])
    return _trail([*found, *items])


@register.inclusion_tag("organizations/includes/breadcrumbs.html", takes_context=True)
def form_breadcrumbs(context):
    """The trail of a shared form page, from what the form page is given: the record it belongs
    to (``back``) or the list it was opened from (``cancel_url``), then its title."""
    title = context.get("title", "")
    record = context.get("back")
    if record is not None and hasattr(record, "_meta"):
        return _trail([*_record_items(record), title])
    return _trail([*_section(context.get("cancel_url") or ""), title])
