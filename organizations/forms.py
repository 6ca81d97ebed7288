from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhui.normalize import CodeField, CreditCodeField, IdNumberField, NormalizedFormMixin, PhoneField

from . import options
from .models import LeaderRole, Organization, Person, Seat, VolunteerTeam
from .scoping import scope_for
from .widgets import SearchSelect, SearchSelectMultiple


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    """A person chosen by searching: the page holds only the current choice."""

    widget = SearchSelect(options.PEOPLE)

    def label_from_instance(self, obj: Person) -> str:
        return options.person_label(obj)


class ManyRecordsField(forms.ModelMultipleChoiceField):
    """Django's field for several records, refusing with its own message an id no primary key
    can have, which SQLite would refuse with an error instead."""

    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else ():
            digits = str(item).strip().removeprefix("-")
            if digits.isdigit() and (len(digits) > 19 or (digits.isascii() and int(digits) >= 2**63)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class PortalForm(NormalizedFormMixin, forms.Form):
    """A crispy form with a submit button labelled for the page; what is typed into it is
    normalised (``sanhui.normalize``) before it is validated."""

    submit_label = _("保存")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_class = "fw-semibold"


class PersonFields(PortalForm):
    name = forms.CharField(label=_("姓名"), max_length=32)
    gender = forms.ChoiceField(label=_("性别"), choices=Person.Gender.choices, initial="unknown")
    phone = PhoneField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        help_text=_("11位中国大陆手机号码，用于活动通知和签到"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = IdNumberField(
        label=_("身份证号码"),
        max_length=20,
        required=False,
        help_text=_("选填。仅在确有需要时采集（如评奖推荐），末位X大小写均可"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    employer = forms.CharField(label=_("工作单位"), max_length=128, required=False)
    title = forms.CharField(label=_("职务/职称"), max_length=64, required=False)
    profession = forms.ChoiceField(label=_("专业类别"), choices=Person.Profession.choices, initial="other")
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PersonRegisterForm(PersonFields):
    organization = forms.ModelChoiceField(
        label=_("所属组织"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_OPEN_ORGANIZATIONS),
    )
    joined_on = forms.DateField(label=_("入会日期"), required=False, widget=DateInput())
    leader_kind = forms.ChoiceField(
        label=_("三长/泛三长身份"),
        required=False,
        choices=[("", _("无")), *LeaderRole.Kind.choices],
    )
    leader_institution = forms.CharField(
        label=_("任职单位"), max_length=128, required=False, help_text=_("例如：姜山镇卫生院")
    )
    link_existing = forms.BooleanField(
        label=_("此人已在区内登记时，将其加入本组织"),
        required=False,
        help_text=_("需姓名与手机号码或身份证号码完全一致；不会重复登记，也不会显示其他组织的信息"),
    )
    submit_label = _("登记")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = options.managed_open_organizations(user)
        assigned = scope_for(user).assigned_org_ids
        if len(assigned) == 1:
            # A town secretary registers into the town association unless they choose otherwise.
            self.fields["organization"].initial = next(iter(assigned))
        self.order_fields(["organization", "name", "gender", "phone", "id_number"])
        self.helper.layout = Layout(
            "organization",
            Row(Column("name", css_class="col-md-6"), Column("gender", css_class="col-md-6")),
            Row(Column("phone", css_class="col-md-6"), Column("id_number", css_class="col-md-6")),
            Row(Column("employer", css_class="col-md-6"), Column("title", css_class="col-md-6")),
            Row(Column("profession", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            Row(
                Column("leader_kind", css_class="col-md-4"),
                Column("leader_institution", css_class="col-md-4"),
                Column("joined_on", css_class="col-md-4"),
            ),
            "notes",
            "link_existing",
        )


class PersonEditForm(PersonFields):
    """Edits a person. The ID number is shown masked, as on the person's page (the full number
    leaves the portal only through the audited export); submitted as shown, it stays as it is."""

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None and person.id_number:
            self.initial["id_number"] = person.masked_id_number
            self.fields["id_number"].help_text = _(
                "出于个人信息保护，仅显示部分号码。不修改请保持原样；如需更正，请输入完整号码；清空则删除。"
            )
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("gender", css_class="col-md-6")),
            Row(Column("phone", css_class="col-md-6"), Column("id_number", css_class="col-md-6")),
            Row(Column("employer", css_class="col-md-6"), Column("title", css_class="col-md-6")),
            Row(Column("profession", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "notes",
        )

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if self.person is not None and self.person.id_number and value == self.person.masked_id_number:
            return self.person.id_number
        return value


class LeaderRoleForm(PortalForm):
    kind = forms.ChoiceField(label=_("身份"), choices=LeaderRole.Kind.choices)
    institution = forms.CharField(label=_("任职单位"), max_length=128, required=False)
    started_on = forms.DateField(label=_("任职日期"), required=False, widget=DateInput())
    submit_label = _("添加身份")


class MembershipAddForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("组织"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_ORGANIZATIONS),
    )
    joined_on = forms.DateField(label=_("入会日期"), required=False, widget=DateInput())
    submit_label = _("加入组织")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = options.managed_organizations(user)


class EndDateForm(PortalForm):
    ended_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    submit_label = _("确认")


class SeatForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("组织"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_ORGANIZATIONS),
    )
    person = PersonChoiceField(label=_("人员"), queryset=Person.objects.none())
    position = forms.ChoiceField(label=_("职务"), choices=Seat.Position.choices)
    term_start = forms.DateField(label=_("任期开始"), widget=DateInput())
    term_end = forms.DateField(
        label=_("任期结束"), required=False, widget=DateInput(), help_text=_("留空表示任期未定")
    )
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, seat: Seat | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if seat is not None:
            # The holder and the organisation of a seat are fixed; a new term is a new seat.
            del self.fields["organization"]
            del self.fields["person"]
        else:
            self.fields["organization"].queryset = options.managed_organizations(user)
            self.fields["person"].queryset = options.visible_people(user)
        self.helper.layout = Layout(
            *(["organization", "person"] if seat is None else []),
            "position",
            Row(Column("term_start", css_class="col-md-6"), Column("term_end", css_class="col-md-6")),
            "notes",
        )


class TeamForm(PortalForm):
    organization = forms.ModelChoiceField(
        label=_("所属组织"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_ORGANIZATIONS),
    )
    name = forms.CharField(label=_("队伍名称"), max_length=128)
    leader = PersonChoiceField(label=_("队长"), queryset=Person.objects.none(), required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())
    service_area = forms.CharField(label=_("服务领域"), max_length=128, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=VolunteerTeam.Status.choices, initial="active")

    def __init__(self, *args, user, team: VolunteerTeam | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = options.visible_people(user)
        if team is not None:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = options.managed_organizations(user)


class TeamVolunteerForm(PortalForm):
    person = PersonChoiceField(label=_("志愿者"), queryset=Person.objects.none())
    joined_on = forms.DateField(label=_("加入日期"), required=False, widget=DateInput())
    submit_label = _("加入服务队")

    def __init__(self, *args, user, team: VolunteerTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = options.visible_people(user).exclude(
            team_memberships__team=team, team_memberships__left_on__isnull=True
        )


class OrganizationForm(NormalizedFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "code",
            "name",
            "kind",
            "category",
            "home_region",
            "served_regions",
            "parent",
            "partners",
            "status",
            "founded_on",
            "dissolved_on",
            "credit_code",
            "contact_name",
            "contact_phone",
            "address",
            "description",
            "is_demo",
        ]
        widgets = {
            "founded_on": DateInput(),
            "dissolved_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            # Regions and organisations are searched for, not listed: a province has thousands.
            "home_region": SearchSelect(options.REGIONS),
            "served_regions": SearchSelectMultiple(options.REGIONS),
            "parent": SearchSelect(options.VISIBLE_ORGANIZATIONS),
            "partners": SearchSelectMultiple(options.PARTNER_ORGANIZATIONS),
        }
        field_classes = {
            "credit_code": CreditCodeField,
            "contact_phone": CodeField,
            "served_regions": ManyRecordsField,
            "partners": ManyRecordsField,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-8"), Column("code", css_class="col-md-4")),
            Row(
                Column("kind", css_class="col-md-4"),
                Column("category", css_class="col-md-4"),
                Column("status", css_class="col-md-4"),
            ),
            Row(Column("home_region", css_class="col-md-6"), Column("parent", css_class="col-md-6")),
            "served_regions",
            "partners",
            Row(
                Column("founded_on", css_class="col-md-4"),
                Column("dissolved_on", css_class="col-md-4"),
                Column("credit_code", css_class="col-md-4"),
            ),
            Row(
                Column("contact_name", css_class="col-md-4"),
                Column("contact_phone", css_class="col-md-4"),
                Column("address", css_class="col-md-4"),
            ),
            "description",
            "is_demo",
        )
        self.fields["credit_code"].help_text = _("18位，选填。校验位不符时仍可保存，但会提示核对。")
        regions = options.all_regions(user)
        self.fields["home_region"].queryset = regions
        self.fields["served_regions"].queryset = regions
        parents = Q(pk__in=options.visible_organizations(user).values("pk"))
        if self.instance.parent_id:
            # For an admin the field is disabled and validated against the current parent, which
            # may lie outside what they see (a town association's parent is the district's).
            parents |= Q(pk=self.instance.parent_id)
        orgs = Organization.objects.filter(parents)
        if self.instance.pk:
            orgs = orgs.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = orgs
        self.fields["partners"].queryset = options.partner_organizations(user).exclude(pk=self.instance.pk)
        if not scope_for(user).write_all:
            for name in ("code", "kind", "parent", "status", "dissolved_on", "home_region", "is_demo"):
                self.fields[name].disabled = True

    def _post_clean(self):
        # Validation and saving belong to the organisation actions; skip the model's
        # full_clean here so that its messages do not duplicate the action's.
        pass
