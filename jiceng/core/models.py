"""The shared core: regions, organisations, people, sites, users with their roles and scope,
and API tokens."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town / street")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid")


class Region(models.Model):
    """A node of the division tree, keyed by its national statistical code."""

    code = models.CharField(_("code"), max_length=15, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The significant prefix: 33 for 330000, 3304 for 330400, the whole code below county.
    prefix = models.CharField(_("scope prefix"), max_length=15, unique=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    region_field: ClassVar[str] = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Site(models.Model):
    """A place: an address in a region, with coordinates and a QR token for on-site scans."""

    class Kind(models.TextChoices):
        PREMISES = "premises", _("Premises")
        DWELLING = "dwelling", _("Dwelling")
        SERVICE_POINT = "service_point", _("Service point")
        PUBLIC = "public", _("Public place")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PREMISES)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, editable=False)
    organisation = models.ForeignKey(
        "Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_qr_token() -> str:
        return secrets.token_urlsafe(16)


class Organisation(models.Model):
    """An enterprise, a government department, a bank outlet, a rural collective..."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
        DEPARTMENT = "department", _("Government department")
        INSTITUTION = "institution", _("Public institution")
        BANK_OUTLET = "bank_outlet", _("Bank outlet")
        RURAL_COLLECTIVE = "rural_collective", _("Rural collective")
        SOCIAL = "social", _("Social organisation")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["name"], name="org_name")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A resident. The ID number is kept encrypted, looked up by a keyed digest, shown masked."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    name = models.CharField(_("name"), max_length=50)
    id_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_sealed = models.CharField(max_length=80, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["name"], name="person_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    TOWN_ADMIN = "town_admin", _("Town administrator")
    TOWN_OFFICER = "town_officer", _("Town officer")
    VILLAGE_WORKER = "village_worker", _("Village worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    WINDOW_CLERK = "window_clerk", _("Window clerk")
    REGULATOR = "regulator", _("Regulator (read-only)")
    # Bottled gas (瓶装燃气): the staff of a filling station, its delivery workers, and the gas
    # company's managers, who see every station of their region.
    STATION_STAFF = "station_staff", _("Gas station staff")
    DELIVERY_WORKER = "delivery_worker", _("Gas delivery worker")
    GAS_MANAGER = "gas_manager", _("Gas company manager")
    # Welfare lottery (福利彩票): the staff of the welfare-lottery centre (福彩中心).
    LOTTERY_STAFF = "lottery_staff", _("Welfare-lottery centre staff")
    # E-bike fire safety (电动自行车): a building's property manager (物业), and the owner of a shop
    # that sells or repairs e-bikes.
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    EBIKE_SHOP = "ebike_shop", _("E-bike shop owner")
    # Summer peak load (迎峰度夏): the power company's account managers (客户经理) and dispatchers
    # (调度), and an enterprise's own contact, who sees their enterprise's plans.
    ACCOUNT_MANAGER = "account_manager", _("Power account manager")
    POWER_DISPATCHER = "power_dispatcher", _("Power dispatcher")
    ENTERPRISE_CONTACT = "enterprise_contact", _("Enterprise contact")
    # Youth talent reserve (青苗计划): the organisation department or a town's party office
    # (组织委员), a party branch secretary (支部书记), a mentor (结对导师) and a young person
    # themself.
    PARTY_ORGANISER = "party_organiser", _("Party organisation officer")
    BRANCH_SECRETARY = "branch_secretary", _("Party branch secretary")
    MENTOR = "mentor", _("Mentor")
    YOUTH = "youth", _("Young talent")


class User(AbstractUser):
    """A person who signs in. Their region is their scope: they see it and what lies under it."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("region (scope)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when an administrator gives the user a temporary password: until they choose their own,
    # every page sends them to the password change (jiceng.web.accounts.middleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_once")]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class KeyHolder(models.Model):
    """What holds a secret key shown once: an API token, a gas scale, a lift blocker. Only the
    key's SHA-256 and its first characters are stored; issued, found and revoked by
    jiceng.core.secret_keys."""

    key_prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True


class ApiToken(KeyHolder):
    """A bearer token for the JSON API (and Open311 `api_key`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"


class ScheduleMark(models.Model):
    """When a periodic job was last enqueued, so that several workers enqueue it only once."""

    name = models.CharField(max_length=60, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_run_at:%Y-%m-%d %H:%M}"
