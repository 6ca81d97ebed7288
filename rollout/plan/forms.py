"""Forms of the rollout pages. They collect and type the input; rules live in ``actions.py``,
whose ValidationErrors the views put back on these forms."""

from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations import options
from organizations.forms import DateInput, PortalForm
from organizations.models import Organization, Person
from organizations.scoping import descendant_org_ids, get_for_user
from organizations.widgets import SearchSelect
from rollout.models import (
    Incentive,
    Inspection,
    Phase,
    Rectification,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
)
from sanhui.normalize import NormalizedFormMixin


def rectification_organizations(user, params):
    """Organisations a rectification item of an inspection may name: the inspected one and
    those below it. The inspection is looked up in the user's scope (404 outside it)."""
    inspection = get_for_user(user, Inspection, params.get("inspection"))
    return Organization.objects.filter(pk__in=descendant_org_ids({inspection.organization_id}))


RECTIFICATION_ORGANIZATIONS = options.register(
    options.OptionSource(
        options.ORGANIZATION, "rectification", rectification_organizations, params=("inspection",)
    )
)


class PhaseForm(PortalForm):
    name = forms.CharField(label=_("名称"), max_length=64)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    summary = forms.CharField(label=_("工作内容"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "name",
            Row(Column("start_date", css_class="col-md-6"), Column("end_date", css_class="col-md-6")),
            "summary",
        )


class StageForm(PhaseForm):
    target = forms.CharField(label=_("目标"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "name",
            Row(Column("start_date", css_class="col-md-6"), Column("end_date", css_class="col-md-6")),
            "target",
            "summary",
        )


class MilestoneForm(PortalForm):
    phase = forms.ModelChoiceField(label=_("所属阶段"), queryset=Phase.objects.all())
    stage = forms.ModelChoiceField(label=_("子阶段"), queryset=Stage.objects.all(), required=False)
    title = forms.CharField(label=_("里程碑"), max_length=128)
    due_date = forms.DateField(label=_("计划日期"), widget=DateInput())
    achieved_on = forms.DateField(
        label=_("达成日期"), required=False, widget=DateInput(), help_text=_("尚未达成时留空")
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Row(Column("phase", css_class="col-md-6"), Column("stage", css_class="col-md-6")),
            "title",
            Row(Column("due_date", css_class="col-md-6"), Column("achieved_on", css_class="col-md-6")),
            "description",
        )


class TaskForm(PortalForm):
    phase = forms.ModelChoiceField(label=_("所属阶段"), queryset=Phase.objects.all())
    stage = forms.ModelChoiceField(label=_("子阶段"), queryset=Stage.objects.all(), required=False)
    title = forms.CharField(label=_("任务"), max_length=200)
    organization = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_OPEN_ORGANIZATIONS),
    )
    due_date = forms.DateField(label=_("完成时限"), widget=DateInput())
    description = forms.CharField(
        label=_("任务说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = options.managed_open_organizations(user)
        if task is not None:
            # A task may stay with an organisation dissolved since it was assigned.
            organizations = organizations | Organization.objects.filter(pk=task.organization_id)
            self.fields["status"] = forms.ChoiceField(label=_("状态"), choices=Task.Status.choices)
            self.fields["note"] = forms.CharField(
                label=_("状态变更说明"),
                required=False,
                help_text=_("更改状态时写入任务进展记录"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["organization"].queryset = organizations
        self.helper.layout = Layout(
            Row(Column("phase", css_class="col-md-6"), Column("stage", css_class="col-md-6")),
            "title",
            Row(Column("organization", css_class="col-md-8"), Column("due_date", css_class="col-md-4")),
            "description",
            *(["status", "note"] if task is not None else []),
        )


class TaskProgressForm(PortalForm):
    status = forms.ChoiceField(label=_("状态"), choices=Task.Status.choices)
    note = forms.CharField(
        label=_("进展说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("本次推进了哪些工作、遇到什么问题")}),
    )
    submit_label = _("提交进展")

    def __init__(self, *args, manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            # Cancelling belongs to district staff; a cancelled task keeps its status here.
            current = self.initial.get("status")
            self.fields["status"].choices = [
                (value, label)
                for value, label in Task.Status.choices
                if value != Task.Status.CANCELLED or value == current
            ]


class PilotForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("试点单位"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_OPEN_ORGANIZATIONS),
    )
    stage = forms.ModelChoiceField(label=_("子阶段"), queryset=Stage.objects.all())
    started_on = forms.DateField(label=_("试点开始日期"), required=False, widget=DateInput())
    focus = forms.CharField(label=_("试点重点"), max_length=200, required=False)
    findings = forms.CharField(label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("具体对策"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = options.managed_open_organizations(user)
        self.helper.layout = Layout(
            Row(
                Column("organization", css_class="col-md-6"),
                Column("stage", css_class="col-md-3"),
                Column("started_on", css_class="col-md-3"),
            ),
            "focus",
            "findings",
            "measures",
        )


class SteeringMemberForm(PortalForm):
    role = forms.ChoiceField(label=_("职务"), choices=SteeringMember.Role.choices)
    name = forms.CharField(label=_("姓名"), max_length=32)
    title = forms.CharField(label=_("单位职务"), max_length=64, required=False)
    user = forms.ModelChoiceField(
        label=_("平台账号"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("关联后，此人以专项指导组身份登录平台"),
    )
    grant_supervisor_role = forms.BooleanField(
        label=_("授予该账号“专项指导组”角色（可查阅全部推进工作、登记督查和整改事项）"),
        required=False,
        initial=True,
    )
    started_on = forms.DateField(label=_("任职日期"), required=False, widget=DateInput())
    ended_on = forms.DateField(
        label=_("离任日期"), required=False, widget=DateInput(), help_text=_("在任时留空")
    )
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        if not editing:
            del self.fields["ended_on"]
        self.helper.layout = Layout(
            Row(
                Column("role", css_class="col-md-4"),
                Column("name", css_class="col-md-4"),
                Column("title", css_class="col-md-4"),
            ),
            Row(
                Column("started_on", css_class="col-md-6"),
                *([Column("ended_on", css_class="col-md-6")] if editing else []),
            ),
            "user",
            "grant_supervisor_role",
            "notes",
        )


class InspectionForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("被督查单位"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.OPEN_ORGANIZATIONS),
    )
    inspected_on = forms.DateField(label=_("督查日期"), widget=DateInput())
    reference = forms.CharField(label=_("督查编号"), max_length=64, required=False)
    inspectors = forms.CharField(label=_("督查组成员"), max_length=200, required=False)
    score = forms.DecimalField(
        label=_("评分"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text=_("百分制，选填"),
    )
    findings = forms.CharField(label=_("督查发现"), widget=forms.Textarea(attrs={"rows": 5}))
    submit_label = _("保存督查记录")

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = options.open_organizations(user)
        layout = [
            Row(Column("organization", css_class="col-md-8"), Column("inspected_on", css_class="col-md-4")),
            Row(
                Column("reference", css_class="col-md-4"),
                Column("inspectors", css_class="col-md-5"),
                Column("score", css_class="col-md-3"),
            ),
            "findings",
        ]
        if editing:
            del self.fields["organization"]
            layout[0] = "inspected_on"
        else:
            self.fields["rectification_title"] = forms.CharField(
                label=_("整改事项"),
                max_length=200,
                required=False,
                help_text=_("选填；保存后可在督查页面继续添加"),
            )
            self.fields["rectification_requirement"] = forms.CharField(
                label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields["rectification_deadline"] = forms.DateField(
                label=_("整改时限"), required=False, widget=DateInput()
            )
            self.fields["rectification_owner_name"] = forms.CharField(
                label=_("责任人"), max_length=64, required=False
            )
            layout += [
                HTML(
                    format_lazy(
                        '<h2 class="h6 border-top pt-3 mt-2">{}</h2>',
                        _("整改事项（选填；保存后可在督查页面继续添加）"),
                    )
                ),
                Row(
                    Column("rectification_title", css_class="col-md-6"),
                    Column("rectification_deadline", css_class="col-md-3"),
                    Column("rectification_owner_name", css_class="col-md-3"),
                ),
                "rectification_requirement",
            ]
        self.helper.layout = Layout(*layout)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rectification_title") and not cleaned.get("rectification_deadline"):
            self.add_error("rectification_deadline", _("填写整改事项时须同时填写整改时限。"))
        return cleaned

    def rectifications(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("rectification_title"):
            return []
        return [
            {
                "title": data["rectification_title"],
                "deadline": data["rectification_deadline"],
                "requirement": data.get("rectification_requirement", ""),
                "owner_name": data.get("rectification_owner_name", ""),
            }
        ]


class RectificationForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("整改单位"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(RECTIFICATION_ORGANIZATIONS),
    )
    title = forms.CharField(label=_("整改事项"), max_length=200)
    requirement = forms.CharField(
        label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("整改时限"), widget=DateInput())
    owner_name = forms.CharField(label=_("责任人"), max_length=64, required=False)
    note = forms.CharField(
        label=_("调整说明"), required=False, help_text=_("调整整改时限时写入整改进展记录"), max_length=500
    )

    def __init__(self, *args, user, inspection: Inspection, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = RECTIFICATION_ORGANIZATIONS.queryset(user, inspection=inspection.pk)
        field.widget.params = {"inspection": inspection.pk}
        if not editing:
            del self.fields["note"]
        self.helper.layout = Layout(
            "organization",
            "title",
            "requirement",
            Row(Column("deadline", css_class="col-md-6"), Column("owner_name", css_class="col-md-6")),
            *(["note"] if editing else []),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files at once; each is checked by the action."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RectificationProgressForm(PortalForm):
    status = forms.ChoiceField(label=_("状态"), choices=Rectification.Status.choices)
    note = forms.CharField(
        label=_("整改情况说明"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("销号时须填写整改完成情况"),
    )
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("图片（JPG、PNG、WebP）或PDF，可多选；销号时至少需有一份"),
    )
    submit_label = _("提交")


class ReopenForm(PortalForm):
    note = forms.CharField(
        label=_("重新打开的原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    submit_label = _("重新打开")


def leader_people(user):
    """People who hold, or held, a 三长/泛三长 role."""
    return options.leader_people(user)


class LeaderChoiceField(forms.ModelChoiceField):
    """A 三长/泛三长 chosen by searching: the page holds only the current choice."""

    widget = SearchSelect(options.LEADERS)

    def label_from_instance(self, obj):
        return options.person_label(obj)


class ShowcaseForm(PortalForm):
    kind = forms.ChoiceField(label=_("类型"), choices=ShowcaseItem.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=128)
    summary = forms.CharField(label=_("摘要"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    story = forms.CharField(label=_("事迹/做法"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    organization = forms.ModelChoiceField(
        label=_("组织"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("典型组织必选"),
        widget=SearchSelect(options.VISIBLE_ORGANIZATIONS),
    )
    person = LeaderChoiceField(
        label=_("带头人"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("典型带头人必选，须为三长/泛三长"),
    )
    nominated_on = forms.DateField(label=_("推荐日期"), widget=DateInput())
    nominated_by = forms.CharField(label=_("推荐单位"), max_length=128, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = options.visible_organizations(user)
        self.fields["person"].queryset = leader_people(user)
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-4"), Column("title", css_class="col-md-8")),
            "summary",
            Row(Column("organization", css_class="col-md-6"), Column("person", css_class="col-md-6")),
            Row(Column("nominated_on", css_class="col-md-4"), Column("nominated_by", css_class="col-md-8")),
            "story",
        )


class IncentiveForm(PortalForm):
    person = LeaderChoiceField(label=_("三长/泛三长"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("类别"), choices=Incentive.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    granted_on = forms.DateField(label=_("日期"), widget=DateInput())
    granted_by = forms.CharField(label=_("推荐/授予/拨付单位"), max_length=128, required=False)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("经费保障必填"),
    )
    organization = forms.ModelChoiceField(
        label=_("相关组织"),
        queryset=Organization.objects.none(),
        required=False,
        widget=SearchSelect(options.VISIBLE_ORGANIZATIONS),
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = leader_people(user)
        self.fields["organization"].queryset = options.visible_organizations(user)
        if editing:
            # The person an incentive was given to is fixed; a different person is a new record.
            del self.fields["person"]
        self.helper.layout = Layout(
            *([] if editing else ["person"]),
            Row(Column("kind", css_class="col-md-4"), Column("title", css_class="col-md-8")),
            Row(
                Column("granted_on", css_class="col-md-4"),
                Column("granted_by", css_class="col-md-4"),
                Column("amount", css_class="col-md-4"),
            ),
            "organization",
            "notes",
        )


class TermWindowForm(NormalizedFormMixin, forms.Form):
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=730, required=False)
