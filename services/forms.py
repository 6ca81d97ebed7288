"""Forms of the service ledger. Choice lists come from the user's scope; rules live in actions."""

from __future__ import annotations

import datetime

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from organizations import options
from organizations.forms import ManyRecordsField, PortalForm
from organizations.models import Organization, Person, Region, Seat, VolunteerTeam
from organizations.scoping import scope_for, scoped
from organizations.uploads import max_upload_bytes
from organizations.widgets import SearchSelect, SearchSelectMultiple
from sanhui.clock import today
from sanhui.collation import pinyin
from sanhui.normalize import NormalizedFormMixin, PhoneField

from . import selectors
from .models import (
    POPULARIZATION_KINDS,
    TECH_KINDS,
    Activity,
    AlignmentTag,
    Audience,
    Evidence,
    Stream,
    VenueKind,
)

# The largest count a PositiveIntegerField holds in PostgreSQL (and SQLite): a larger one would
# fail in the database instead of on the form.
LARGEST_COUNT = 2_147_483_647


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _organizers(user, params=None):
    return selectors.organizer_choices(user=user)


# The organisations a user may log an activity for (searched for by the activity form).
ORGANIZERS = options.register(options.OptionSource(options.ORGANIZATION, "organizers", _organizers))

# An activity logged without an end is taken to last this long.
DEFAULT_DURATION = datetime.timedelta(hours=2)
MORE_LABEL = _("更多信息（主办、协办、带队、服务队、服务对象等，选填）")


class ActivityForm(PortalForm):
    title = forms.CharField(label=_("活动名称"), max_length=128)
    kind = forms.ChoiceField(
        label=_("活动类型"),
        choices=[
            (Stream.TECH_SERVICE.label, [(k.value, k.label) for k in TECH_KINDS]),
            (Stream.POPULARIZATION.label, [(k.value, k.label) for k in POPULARIZATION_KINDS]),
        ],
    )
    organizer = forms.ModelChoiceField(
        label=_("主办组织"), queryset=Organization.objects.none(), widget=SearchSelect(ORGANIZERS)
    )
    co_organizers = ManyRecordsField(
        label=_("协办组织"),
        queryset=Organization.objects.none(),
        required=False,
        widget=SearchSelectMultiple(options.ACTIVE_ORGANIZATIONS),
    )
    leaders = ManyRecordsField(
        label=_("带队的三长/泛三长"),
        queryset=Person.objects.none(),
        required=False,
        widget=SearchSelectMultiple(options.LEADERS),
    )
    teams = ManyRecordsField(
        label=_("参与的志愿服务队"),
        queryset=VolunteerTeam.objects.none(),
        required=False,
        widget=SearchSelectMultiple(options.ACTIVE_TEAMS),
    )
    region = forms.ModelChoiceField(
        label=_("活动区域"), queryset=Region.objects.all(), widget=SearchSelect(options.REGIONS)
    )
    venue_kind = forms.ChoiceField(label=_("场所类型"), choices=VenueKind.choices)
    venue = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DateTimeInput(), required=False, help_text=_("不填则按开始后2小时计")
    )
    audiences = forms.MultipleChoiceField(
        label=_("服务对象"), choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    alignment_tags = forms.MultipleChoiceField(
        label=_("工作结合点（一个统筹、两个纳入、五个结合）"),
        choices=AlignmentTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    planned_participants = forms.IntegerField(
        label=_("计划参与人数"), min_value=0, max_value=LARGEST_COUNT, initial=0
    )
    reported_participants = forms.IntegerField(
        label=_("上报参与人数"),
        min_value=0,
        max_value=LARGEST_COUNT,
        required=False,
        help_text=_("扫码签到之外的参与人数（如线上观看、纸质签到），举办后填写"),
    )
    description = forms.CharField(
        label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    held = forms.BooleanField(
        label=_("活动已举办（补登）"),
        required=False,
        help_text=_("登记已经举办过的活动时勾选；未勾选则登记为计划中的活动"),
    )

    def __init__(self, *args, user, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        organizers = ORGANIZERS.queryset(user)
        if activity is not None:
            organizers = (organizers | Organization.objects.filter(pk=activity.organizer_id)).distinct()
            del self.fields["held"]
        self.fields["organizer"].queryset = organizers
        self.fields["co_organizers"].queryset = options.active_organizations(user)
        self.fields["leaders"].queryset = options.leader_people(user)
        self.fields["leaders"].label_from_instance = options.person_label
        self.fields["teams"].queryset = options.active_teams(user)
        self.fields["teams"].label_from_instance = options.team_label
        self.fields["region"].queryset = options.all_regions(user)
        if activity is None:
            self._set_defaults(user, organizers)
        self.helper.layout = Layout(
            Row(Column("title", css_class="col-md-8"), Column("kind", css_class="col-md-4")),
            Row(
                Column("starts_at", css_class="col-6 col-md-3"),
                Column("ends_at", css_class="col-6 col-md-3"),
                Column("region", css_class="col-md-3"),
                Column("planned_participants", css_class="col-md-3"),
            ),
            "venue",
            # What a leader need not give is folded away; it opens by itself when it holds an error.
            HTML(
                '<details class="mb-3 activity-more"{% if form.folded_errors %} open{% endif %}>'
                f'<summary class="mb-2">{escape(MORE_LABEL)}</summary>'
            ),
            Row(Column("organizer", css_class="col-md-6"), Column("venue_kind", css_class="col-md-6")),
            Row(Column("co_organizers", css_class="col-md-6"), Column("leaders", css_class="col-md-6")),
            Row(Column("teams", css_class="col-md-6"), Column("reported_participants", css_class="col-md-6")),
            InlineCheckboxes("audiences"),
            "alignment_tags",
            "description",
            *(["held"] if "held" in self.fields else []),
            HTML("</details>"),
        )

    FOLDED = (
        "organizer", "venue_kind", "co_organizers", "leaders", "teams", "reported_participants",
        "audiences", "alignment_tags", "description", "held",
    )  # fmt: skip

    @property
    def folded_errors(self) -> bool:
        return self.is_bound and any(name in self.errors for name in self.FOLDED)

    def _set_defaults(self, user, organizers) -> None:
        """A town secretary logs for the town association, a leader for the association where
        they hold a seat (else one they belong to), each in its home region; a leader leads what
        they log."""
        scope = scope_for(user)
        assigned = scope.assigned_org_ids
        default = organizers.filter(pk__in=assigned).first() if len(assigned) == 1 else None
        if default is None and scope.person_ids and not scope.admin_org_ids and not scope.read_all:
            seats = Seat.objects.current(today()).filter(person_id__in=scope.person_ids)
            default = organizers.filter(pk__in=seats.values("organization_id")).first() or organizers.first()
            self.initial.setdefault("leaders", sorted(scope.person_ids))
        if default is None and len(organizers[:2]) == 1:
            default = organizers.first()
        if default is not None:
            self.initial.setdefault("organizer", default.pk)
            self.initial.setdefault("region", default.home_region_id)

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("结束时间不能早于开始时间。"))
        elif starts_at and not ends_at and "ends_at" not in self.errors:
            cleaned["ends_at"] = starts_at + DEFAULT_DURATION
        return cleaned

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        return {
            "title": activity.title,
            "kind": activity.kind,
            "organizer": activity.organizer_id,
            "co_organizers": list(activity.co_organizers.values_list("pk", flat=True)),
            "leaders": list(activity.leaders.values_list("pk", flat=True)),
            "teams": list(activity.teams.values_list("pk", flat=True)),
            "region": activity.region_id,
            "venue_kind": activity.venue_kind,
            "venue": activity.venue,
            "starts_at": timezone.localtime(activity.starts_at),
            "ends_at": timezone.localtime(activity.ends_at),
            "audiences": activity.audiences,
            "alignment_tags": activity.alignment_tags,
            "planned_participants": activity.planned_participants,
            "reported_participants": activity.reported_participants,
            "description": activity.description,
        }

    def action_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "co_organizers": list(data.pop("co_organizers")),
            "leaders": list(data.pop("leaders")),
            "teams": list(data.pop("teams")),
            "data": {key: value for key, value in data.items() if key != "held"},
        }


class TransitionForm(PortalForm):
    note = forms.CharField(
        label=_("说明"), max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, note_required: bool = False, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required
        if note_required:
            self.fields["note"].label = _("原因")
        if submit_label:
            self.submit_label = submit_label


class EvidenceForm(PortalForm):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Evidence.Kind.choices)
    file = forms.FileField(label=_("文件"))
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)
    submit_label = _("上传")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("图片（JPG、PNG、WebP）或 PDF，不超过 %(mb)d MB") % {
            "mb": max_upload_bytes() // 1024 // 1024
        }
        self.fields["file"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.webp,.pdf"


class CheckinForm(NormalizedFormMixin, forms.Form):
    """The public check-in form: deliberately only name and phone."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control form-control-lg"}),
    )
    phone = PhoneField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "class": "form-control form-control-lg"}
        ),
    )
    consent = forms.BooleanField(
        label=_("我已阅读上述说明，同意提供姓名和手机号码用于本次活动签到"),
        error_messages={"required": _("请先阅读说明并勾选同意，才能签到。")},
    )


class VolunteerCheckinForm(CheckinForm):
    direction = forms.ChoiceField(
        choices=(("in", _("签到")), ("out", _("签退"))), widget=forms.HiddenInput, initial="in"
    )


class HoursEntryForm(PortalForm):
    person = forms.ModelChoiceField(label=_("志愿者"), queryset=Person.objects.none())
    hours = forms.DecimalField(label=_("服务时长（小时）"), min_value=0, max_value=24, decimal_places=2)
    reason = forms.CharField(label=_("录入原因"), max_length=255)
    submit_label = _("录入")

    def __init__(self, *args, activity: Activity, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = selectors.eligible_teams(activity)
        self.fields["person"].queryset = (
            scoped(user, Person)
            .filter(team_memberships__team__in=teams, team_memberships__left_on__isnull=True)
            .distinct()
            .order_by(pinyin("name"))
        )
        self.fields["reason"].initial = _("未扫码签到签退，按实际服务时间补录")


class HoursCorrectionForm(PortalForm):
    hours = forms.DecimalField(
        label=_("更正后的服务时长（小时）"), min_value=0, max_value=24, decimal_places=2
    )
    reason = forms.CharField(label=_("更正原因"), max_length=255)
    submit_label = _("更正")


class ExportForm(PortalForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reason = forms.CharField(
        label=_("导出用途"),
        max_length=200,
        help_text=_("导出文件含完整手机号码，属于个人信息；请说明用途，系统将记录本次导出"),
    )
    submit_label = _("导出 XLSX")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
