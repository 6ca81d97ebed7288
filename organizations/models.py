"""Regions, organisations, people, leadership seats, memberships, volunteer teams and roles.

These are the nouns every other part of the portal stands on. Rules that span several rows
live in ``actions.py``; reads that depend on who is asking go through ``scoping.py``.
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sanhui.clock import today
from sanhui.collation import pinyin
from sanhui.crypto import EncryptedCharField, LookupHashField, lookup_hash

from . import validators

# --------------------------------------------------------------------------- regions


class RegionQuerySet(models.QuerySet):
    def towns(self) -> "RegionQuerySet":
        """Township-level units: the towns and subdistricts the coverage figures count."""
        return self.filter(kind__in=Region.TOWNSHIP_KINDS)

    def in_scope(self) -> "RegionQuerySet":
        return self.filter(in_scope=True)

    def subtree_of(self, region: "Region") -> "RegionQuerySet":
        """The region and every region below it, at any depth."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道")
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    TOWNSHIP_KINDS = (Kind.TOWN, Kind.SUBDISTRICT)

    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("区划代码"), max_length=32, blank=True)
    code_set = models.CharField(
        _("代码集"), max_length=64, blank=True, help_text=_("例如：国家统计局统计用区划代码 2022")
    )
    managed_by = models.CharField(_("托管单位"), max_length=64, blank=True)
    in_scope = models.BooleanField(
        _("纳入工作范围"), default=True, help_text=_("是否计入“三长带三会”覆盖率统计")
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Materialised path of primary keys ("/1/7/42/"), kept by save(), so that "this region and
    # everything below it" is one indexed prefix filter however deep the tree grows.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = pgettext_lazy("plural", "区域")
        ordering = ["sort_order", "code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="region_unique_name_in_parent",
                violation_error_message=_("同一上级区域下已有同名区域。"),
            ),
            models.UniqueConstraint(
                fields=["code_set", "code"],
                condition=~Q(code=""),
                name="region_unique_code_in_code_set",
                violation_error_message=_("该代码集中已有相同的区划代码。"),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind="district"),
                name="region_only_district_is_root",
                violation_error_message=_("只有区可以没有上级区域。"),
            ),
        ]

    def __str__(self) -> str:
        # Region names are proper nouns: English users see the romanised name where one exists.
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The region, its subtree's paths, its organisations' order and the towns' sums change
        # together or not at all.
        with transaction.atomic():
            old_path = self.path
            # A region moved, or made a town or no longer one, changes the town of the regions below
            # it: the summaries kept per town are told which towns (``REGION_TOWN_HOOKS``).
            before = (
                Region.objects.filter(pk=self.pk).values_list("path", "kind").first()
                if self.pk is not None
                else None
            )
            towns_before = set(townships([self.pk]).values()) if before else set()
            moved_in_order = (
                self.pk is not None
                and Region.objects.filter(pk=self.pk).exclude(sort_order=self.sort_order).exists()
            )
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
            self.path = new_path
            super().save(*args, **kwargs)
            if moved_in_order:
                # The organisations based here carry the region's place in their list order.
                Organization.objects.filter(home_region=self).update(region_order=self.sort_order)
            if old_path and old_path != new_path:
                # Re-parenting moves the whole subtree.
                Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=models.functions.Concat(
                        models.Value(new_path),
                        models.functions.Substr("path", len(old_path) + 1),
                    )
                )
            if before and (before[0] != new_path or (before[1] in self.TOWNSHIP_KINDS) != self.is_township):
                changed = towns_before | set(townships([self.pk]).values())
                if self.is_township or before[1] in self.TOWNSHIP_KINDS:
                    changed.add(self.pk)
                for hook in REGION_TOWN_HOOKS:
                    hook(sorted(changed))

    @property
    def is_township(self) -> bool:
        return self.kind in self.TOWNSHIP_KINDS


# Called in the transaction that moves a region (or makes it a town, or no longer one), with the
# ids of the towns whose regions changed: the ledger keeps sums per town (services.tallies.retown
# registers itself here; this app may not import it).
REGION_TOWN_HOOKS: list[Callable[[list[int]], None]] = []


def on_region_towns_change(hook: Callable[[list[int]], None]) -> None:
    if hook not in REGION_TOWN_HOOKS:
        REGION_TOWN_HOOKS.append(hook)


def townships(region_ids: Iterable[int] | None = None) -> dict[int, int]:
    """region id → the id of its town: the nearest town or subdistrict on its path, itself
    included (regions above the towns have none and are left out). Of ``region_ids``, or of
    every region. Two queries, whatever the number of regions."""
    regions = Region.objects.order_by()
    if region_ids is not None:
        regions = regions.filter(pk__in=list(region_ids))
    paths = [
        (pk, [int(part) for part in path.strip("/").split("/") if part])
        for pk, path in regions.values_list("pk", "path")
    ]
    above = {part for _pk, parts in paths for part in parts}
    if region_ids is None:
        towns = set(Region.objects.towns().values_list("pk", flat=True))
    else:
        towns = set(Region.objects.towns().filter(pk__in=above).values_list("pk", flat=True))
    found = {}
    for pk, parts in paths:
        for part in reversed(parts):
            if part in towns:
                found[pk] = part
                break
    return found


# --------------------------------------------------------------------------- organisations


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        from .scoping import scope_for

        return scope_for(user).organizations(self)

    def editable_by(self, user) -> "OrganizationQuerySet":
        from .scoping import scope_for

        return scope_for(user).organizations(self, write=True)

    def active(self) -> "OrganizationQuerySet":
        """Active today."""
        return self.filter(status=Organization.Status.ACTIVE)

    def active_on(self, day: datetime.date) -> "OrganizationQuerySet":
        """Active on ``day``, by the organisation's dated history (see ``active_on``)."""
        return self.filter(active_on(day))

    def by_kind(self) -> "OrganizationQuerySet":
        """The district association first, then town associations in the district's order,
        the three associations, societies and the rest."""
        return self.order_by("kind_rank", "region_order", "category", pinyin("name"), "pk")


def active_on(day: datetime.date, prefix: str = "") -> Q:
    """Organisations active on ``day``: founded by then (no founding date: since before the
    portal's records) and not dissolved by then. An organisation still preparing has never been
    active; a dissolved one was active from its founding until the day before ``dissolved_on``.
    ``prefix`` reaches the organisation through a relation (``"organizer__"``)."""
    return Q(
        Q(**{f"{prefix}status__in": (Organization.Status.ACTIVE, Organization.Status.DISSOLVED)}),
        Q(**{f"{prefix}founded_on__isnull": True}) | Q(**{f"{prefix}founded_on__lte": day}),
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day}),
    )


class Organization(models.Model):
    class Kind(models.TextChoices):
        DISTRICT_ASSOCIATION = "district_association", _("区科协")
        TOWN_ASSOCIATION = "town_association", _("镇（街）科协")
        DISTRICT_SOCIETY = "district_society", _("区级学（协）会")
        ENTERPRISE_ASSOCIATION = "enterprise_association", _("企业（园区）科协")
        UNIVERSITY_ASSOCIATION = "university_association", _("高校科协")
        POPULARIZATION_BASE = "popularization_base", _("科普教育基地/科技馆")
        LECTURER_GROUP = "lecturer_group", _("科普讲师团")
        GRASSROOTS_ASSOCIATION = "grassroots_association", _("基层科普协会（三会）")

    class Category(models.TextChoices):
        PRODUCTION = "production", _("生产服务类")
        ECOLOGY = "ecology", _("生态服务类")
        LIFE_HEALTH = "life_health", _("生活健康类")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("筹备中")
        ACTIVE = "active", _("正常运行")
        DISSOLVED = "dissolved", _("已撤销")

    KIND_ORDER = (
        Kind.DISTRICT_ASSOCIATION,
        Kind.TOWN_ASSOCIATION,
        Kind.GRASSROOTS_ASSOCIATION,
        Kind.DISTRICT_SOCIETY,
        Kind.ENTERPRISE_ASSOCIATION,
        Kind.UNIVERSITY_ASSOCIATION,
        Kind.POPULARIZATION_BASE,
        Kind.LECTURER_GROUP,
    )

    code = models.SlugField(
        _("组织编码"),
        max_length=32,
        unique=True,
        help_text=_("门户内唯一的简短编码，仅含字母、数字、连字符，例如 JS-KX"),
    )
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("组织类型"), max_length=32, choices=Kind.choices, db_index=True)
    category = models.CharField(
        _("三会类别"),
        max_length=16,
        choices=Category.choices,
        blank=True,
        db_index=True,
        help_text=_("仅基层科普协会（三会）填写"),
    )
    home_region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="home_organizations"
    )
    served_regions = models.ManyToManyField(
        Region, verbose_name=_("服务区域"), blank=True, related_name="served_by_organizations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    partners = models.ManyToManyField("self", verbose_name=_("合作组织"), blank=True, symmetrical=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(
        _("撤销日期"), null=True, blank=True, help_text=_("状态为“已撤销”时填写：自该日起不再运行")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_demo = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的示例组织，待区科协录入真实信息后替换")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The organisation list's default order — kind (``KIND_ORDER``), then the home region's
    # place in the district's order — held on the row itself, so that one index
    # (``organization_list_order``) gives the list's first and last pages without sorting every
    # organisation joined to its region. ``kind_rank`` is computed by the database from
    # ``kind``; ``region_order`` is the home region's ``sort_order``, kept by ``save()`` here
    # and by ``Region.save()`` when a region's order changes.
    kind_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(kind=kind, then=models.Value(index)) for index, kind in enumerate(KIND_ORDER)),
            default=models.Value(len(KIND_ORDER)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    region_order = models.PositiveIntegerField(default=0, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = pgettext_lazy("plural", "组织")
        ordering = ["kind", pinyin("name")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="grassroots_association") & ~Q(category=""))
                | (~Q(kind="grassroots_association") & Q(category="")),
                name="organization_category_only_for_grassroots",
                violation_error_message=_("基层科普协会（三会）必须选择类别，其他组织不填类别。"),
            ),
            models.UniqueConstraint(
                fields=["home_region"],
                condition=Q(kind="town_association") & ~Q(status="dissolved"),
                name="organization_one_town_association_per_region",
                violation_error_message=_("该镇（街道）已有一个镇（街）科协。"),
            ),
            models.CheckConstraint(
                condition=(Q(status="dissolved") & Q(dissolved_on__isnull=False))
                | (~Q(status="dissolved") & Q(dissolved_on__isnull=True)),
                name="organization_dissolved_on_only_when_dissolved",
                violation_error_message=_("已撤销的组织须填写撤销日期，其他状态不填。"),
            ),
            models.CheckConstraint(
                condition=Q(founded_on__isnull=True)
                | Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gt=F("founded_on")),
                name="organization_dissolved_after_founding",
                violation_error_message=_("撤销日期须晚于成立日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organization_not_own_parent",
                violation_error_message=_("上级组织不能是本组织。"),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            # The seat and team lists' default order (by their organisation's name in pinyin):
            # read organisation by organisation from this index, not sorted over every row.
            models.Index(pinyin("name"), F("id"), name="organization_name_pinyin"),
            models.Index(
                F("kind_rank"),
                F("region_order"),
                F("category"),
                pinyin("name"),
                F("id"),
                name="organization_list_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if Organization.home_region.field.is_cached(self):
            self.region_order = self.home_region.sort_order
        elif self.home_region_id is not None:
            orders = Region.objects.values_list("sort_order", flat=True)
            self.region_order = orders.get(pk=self.home_region_id)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "home_region" in update_fields:
            kwargs["update_fields"] = {*update_fields, "region_order"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization_detail", args=[self.pk])

    @property
    def credit_code_warning(self) -> bool:
        """True when a credit code is recorded but its GB 32100 check character fails."""
        return bool(self.credit_code) and not validators.credit_code_checksum_ok(self.credit_code)


# --------------------------------------------------------------------------- people


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonQuerySet":
        from .scoping import scope_for

        return scope_for(user).people(self)

    def editable_by(self, user) -> "PersonQuerySet":
        from .scoping import scope_for

        return scope_for(user).people(self, write=True)

    def leaders(self, on: datetime.date | None = None) -> "PersonQuerySet":
        """People holding a 三长/泛三长 role on the given day."""
        return self.filter(pk__in=LeaderRole.objects.open_on(on).values("person_id"))

    def with_phone(self, phone: str) -> "PersonQuerySet":
        """People with exactly this (normalised) phone number, matched by its keyed hash."""
        return self.filter(phone_hash=lookup_hash(phone)) if phone else self.none()

    def with_id_number(self, id_number: str) -> "PersonQuerySet":
        """People with exactly this (normalised) resident ID number, matched by its keyed hash."""
        return self.filter(id_number_hash=lookup_hash(id_number)) if id_number else self.none()


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")
        UNKNOWN = "unknown", _("未填写")

    class Profession(models.TextChoices):
        MEDICAL = "medical", _("医技人员")
        AGRITECH = "agritech", _("农技人员")
        TEACHER = "teacher", _("科技教师")
        LECTURER = "lecturer", _("科普讲师")
        VENUE_STAFF = "venue_staff", _("场馆/基地人员")
        OTHER = "other", _("其他科技工作者")

    name = models.CharField(_("姓名"), max_length=32, db_index=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    # Encrypted at rest; exact matches and the unique constraints use the hash columns
    # (sanhui/crypto.py).
    phone = EncryptedCharField(_("手机号码"), max_length=11, blank=True)
    phone_hash = LookupHashField(source="phone")
    id_number = EncryptedCharField(
        _("身份证号码"), max_length=18, blank=True, help_text=_("选填，仅在确有需要时采集")
    )
    id_number_hash = LookupHashField(source="id_number")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    employer = models.CharField(_("工作单位"), max_length=128, blank=True)
    title = models.CharField(_("职务/职称"), max_length=64, blank=True)
    profession = models.CharField(
        _("专业类别"), max_length=16, choices=Profession.choices, default=Profession.OTHER
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = pgettext_lazy("plural", "人员")
        ordering = [pinyin("name"), "pk"]
        # The people list's default order (by pinyin, then primary key), so that its first and
        # last pages are read from the index instead of sorting every person.
        indexes = [models.Index(pinyin("name"), F("id"), name="person_name_pinyin")]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"],
                condition=~Q(phone_hash=""),
                name="person_unique_phone",
                violation_error_message=_("该手机号码已被登记。"),
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="person_unique_id_number",
                violation_error_message=_("该身份证号码已被登记。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:person_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return validators.mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return validators.mask_resident_id(self.id_number)


def role_open_on(day: datetime.date, prefix: str = "") -> Q:
    """Leader roles held on ``day``: begun by then (no start: since before the portal's records)
    and not ended before it — the last day of a role is ``ended_on`` itself. ``prefix`` reaches
    the role through a relation (``"person__leader_roles__"``)."""
    return (Q(**{f"{prefix}started_on__isnull": True}) | Q(**{f"{prefix}started_on__lte": day})) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


class LeaderRoleQuerySet(models.QuerySet):
    def open_on(self, on: datetime.date | None = None) -> "LeaderRoleQuerySet":
        """Roles held on the given day (today in Asia/Shanghai by default). The last day of
        a role is ``ended_on`` itself."""
        return self.filter(role_open_on(on or today()))


class LeaderRole(models.Model):
    """A person's standing as one of the 三长 or 泛三长."""

    class Kind(models.TextChoices):
        HOSPITAL_DIRECTOR = "hospital_director", _("医院院长")
        SCHOOL_PRINCIPAL = "school_principal", _("学校校长")
        AGRITECH_STATION_HEAD = "agritech_station_head", _("农技站站长")
        MUSEUM_DIRECTOR = "museum_director", _("科技馆馆长")
        BASE_LEADER = "base_leader", _("科普教育基地负责人")
        LECTURER_GROUP_HEAD = "lecturer_group_head", _("科普讲师团团长")

    class Tier(models.TextChoices):
        CORE = "core", _("三长")
        EXTENDED = "extended", _("泛三长")

    CORE_KINDS = (Kind.HOSPITAL_DIRECTOR, Kind.SCHOOL_PRINCIPAL, Kind.AGRITECH_STATION_HEAD)

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="leader_roles"
    )
    kind = models.CharField(_("身份"), max_length=32, choices=Kind.choices, db_index=True)
    institution = models.CharField(
        _("所在单位"), max_length=128, blank=True, help_text=_("例如：姜山镇卫生院")
    )
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True)

    objects = LeaderRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("三长身份")
        verbose_name_plural = pgettext_lazy("plural", "三长身份")
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(ended_on__isnull=True),
                name="leaderrole_one_open_role_per_kind",
                violation_error_message=_("此人已有该身份。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="leaderrole_ends_after_start",
                violation_error_message=_("卸任日期不能早于任职日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def tier(self) -> str:
        return self.Tier.CORE if self.kind in self.CORE_KINDS else self.Tier.EXTENDED

    def get_tier_display(self) -> str:
        return self.Tier(self.tier).label


def seat_current_on(day: datetime.date, prefix: str = "") -> Q:
    """Seats whose term covers ``day``: begun by then and not ended before it. ``prefix``
    reaches the seat through a relation (``"seats__"``)."""
    return Q(**{f"{prefix}term_start__lte": day}) & (
        Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": day})
    )


class SeatQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "SeatQuerySet":
        """Seats whose term covers the given day (today in Asia/Shanghai by default)."""
        return self.filter(seat_current_on(on or today()))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> "SeatQuerySet":
        """Seats whose term shares at least one day with [start, end] (end None: open)."""
        qs = self.filter(Q(term_end__isnull=True) | Q(term_end__gte=start))
        return qs if end is None else qs.filter(term_start__lte=end)

    def by_rank(self) -> "SeatQuerySet":
        """Ordered by organisation, then by precedence of position, then newest term."""
        rank = models.Case(
            *(models.When(position=position, then=index) for index, position in enumerate(Seat.RANK)),
            default=len(Seat.RANK),
            output_field=models.IntegerField(),
        )
        return self.alias(position_rank=rank).order_by(
            pinyin("organization__name"), "organization", "position_rank", "-term_start", "pk"
        )

    def ending_within(self, days: int, on: datetime.date | None = None) -> "SeatQuerySet":
        on = on or today()
        return self.current(on).filter(term_end__lte=on + datetime.timedelta(days=days))

    def held_by_leaders(self, on: datetime.date | None = None) -> "SeatQuerySet":
        """Seats whose holder is a 三长 or 泛三长 (with a leader role open on that day)."""
        return self.filter(person_id__in=LeaderRole.objects.open_on(on).values("person_id"))

    def visible_to(self, user) -> "SeatQuerySet":
        from .scoping import scope_for

        return scope_for(user).seats(self)

    def editable_by(self, user) -> "SeatQuerySet":
        from .scoping import scope_for

        return scope_for(user).seats(self, write=True)


class Seat(models.Model):
    """A person's place, for a term, in an association's leadership body."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("主席")
        VICE_CHAIR_PARTTIME = "vice_chair_parttime", _("兼职副主席")
        VICE_CHAIR_SECONDED = "vice_chair_seconded", _("挂职副主席")
        STANDING_MEMBER = "standing_member", _("常委")
        MEMBER = "member", _("委员")
        SECRETARY_GENERAL = "secretary_general", _("秘书长")

    # Order of precedence in a leadership body, for listings.
    RANK = (
        Position.CHAIR,
        Position.VICE_CHAIR_PARTTIME,
        Position.VICE_CHAIR_SECONDED,
        Position.SECRETARY_GENERAL,
        Position.STANDING_MEMBER,
        Position.MEMBER,
    )
    # Positions that one person holds at a time in an association.
    SINGLE_HOLDER = (Position.CHAIR, Position.SECRETARY_GENERAL)

    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="seats"
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="seats")
    position = models.CharField(_("职务"), max_length=32, choices=Position.choices)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导机构职务")
        verbose_name_plural = pgettext_lazy("plural", "领导机构职务")
        ordering = ["-term_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="seat_term_ends_after_start",
                violation_error_message=_("任期结束日期不能早于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["organization", "person", "position", "term_start"],
                name="seat_unique_term",
                violation_error_message=_("该人员在此组织已有相同职务和任期的记录。"),
            ),
        ]
        indexes = [models.Index(fields=["term_start", "term_end"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_position_display()} · {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("organizations:seat_detail", args=[self.pk])

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.term_start <= on and (self.term_end is None or self.term_end >= on)

    @property
    def current(self) -> bool:
        return self.is_current()


class MembershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "MembershipQuerySet":
        on = on or today()
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=on)).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=on)
        )


class Membership(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(_("入会日期"), null=True, blank=True)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("会员关系")
        verbose_name_plural = pgettext_lazy("plural", "会员关系")
        ordering = ["-joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_org",
                violation_error_message=_("此人已是该组织的会员。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_join",
                violation_error_message=_("退出日期不能早于入会日期。"),
            ),
        ]
        # An organisation's current members, counted for the organisation list from the index
        # alone.
        indexes = [
            models.Index(
                fields=["organization"], condition=Q(left_on__isnull=True), name="membership_open_by_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"

    @property
    def current(self) -> bool:
        on = today()
        return (self.joined_on is None or self.joined_on <= on) and (
            self.left_on is None or self.left_on > on
        )


class VolunteerTeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VolunteerTeamQuerySet":
        from .scoping import scope_for

        return scope_for(user).teams(self)

    def editable_by(self, user) -> "VolunteerTeamQuerySet":
        from .scoping import scope_for

        return scope_for(user).teams(self, write=True)


class VolunteerTeam(models.Model):
    """A science and technology volunteer service team (科技志愿服务队)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("活跃")
        INACTIVE = "inactive", _("停止活动")

    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("队伍名称"), max_length=128)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("队长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    service_area = models.CharField(_("服务领域"), max_length=128, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    volunteers = models.ManyToManyField(
        Person, through="TeamMembership", related_name="volunteer_teams", verbose_name=_("志愿者")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = VolunteerTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("科技志愿服务队")
        verbose_name_plural = pgettext_lazy("plural", "科技志愿服务队")
        ordering = [pinyin("name"), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="team_unique_name_in_org",
                violation_error_message=_("本组织已有同名的服务队。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:team_detail", args=[self.pk])


class TeamMembership(models.Model):
    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("服务队"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = pgettext_lazy("plural", "志愿者")
        ordering = ["-joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=Q(left_on__isnull=True),
                name="teammembership_one_open_per_team",
                violation_error_message=_("此人已在该服务队中。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="teammembership_leaves_after_join",
                violation_error_message=_("退出日期不能早于加入日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.team}"


# --------------------------------------------------------------------------- users and roles


class RoleAssignment(models.Model):
    """What a user may do. A user may hold several (e.g. admin of two organisations)."""

    class Role(models.TextChoices):
        DISTRICT_STAFF = "district_staff", _("区科协工作人员")
        ORG_ADMIN = "org_admin", _("组织管理员")
        LEADER = "leader", _("三长/泛三长")
        SUPERVISOR = "supervisor", _("专项指导组")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("管理的组织"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = pgettext_lazy("plural", "角色分配")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="org_admin") & Q(organization__isnull=False) & Q(person__isnull=True))
                | (Q(role="leader") & Q(person__isnull=False) & Q(organization__isnull=True))
                | (
                    Q(role__in=["district_staff", "supervisor"])
                    & Q(organization__isnull=True)
                    & Q(person__isnull=True)
                ),
                name="roleassignment_target_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(role="org_admin"),
                name="roleassignment_unique_org_admin",
            ),
            models.UniqueConstraint(
                fields=["user", "person"],
                condition=Q(role="leader"),
                name="roleassignment_unique_leader",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role__in=["district_staff", "supervisor"]),
                name="roleassignment_unique_district_role",
            ),
        ]

    def __str__(self) -> str:
        target = self.organization or self.person
        label = self.get_role_display()
        return f"{self.user} · {label}" + (f" · {target}" if target else "")


class AuditEntry(models.Model):
    """Who changed what and when: written by every action that changes records."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    summary = models.CharField(_("摘要"), max_length=255, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = pgettext_lazy("plural", "操作记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


# --------------------------------------------------------------------------- sign-in records

from .accounts.models import LoginEvent, PasswordHistory, PasswordState  # noqa: E402, F401

# --------------------------------------------------------------------------- imports and exports
from .exports.models import ExportFile  # noqa: E402, F401
from .imports.models import ImportBatch, ImportRow  # noqa: E402, F401
