"""Registering young people, their branch, tags, account and mentors; the full ID number."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import identity_vault, roles
from jiceng.core.models import Person, Region, Role
from jiceng.core.scope import code_in_scope, village_of
from jiceng.core.services.audit import audit_record_id_number_reveal
from jiceng.core.services.registries import person_fields_from_id
from jiceng.youth import access
from jiceng.youth.models import Background, Branch, Education, Mentorship, Talent

if TYPE_CHECKING:
    from jiceng.core.models import User

TAG_FIELDS = ("wealth_leader", "committee_member")
MAX_SKILLS = 300


def today() -> date:
    return timezone.localdate()


def village_region(code: str, *, field: str = "region") -> Region:
    """The village or community a code names (a grid code names its village); 400 otherwise."""
    code = (code or "").strip()
    village = village_of(code)
    region = Region.objects.filter(code=village).first() if village else None
    if region is None:
        known = Region.objects.filter(code=code).exists()
        raise ValidationError(
            {
                field: _("Region %s is not a village or community.") % code
                if known
                else _("Unknown region code: %s") % code
            }
        )
    return region


def _choice(value: str, choices: Any, field: str) -> str:
    value = (value or "").strip()
    if value not in choices.values:
        raise ValidationError({field: _("Unknown value: %s") % value})
    return value


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit or "\x00" in value:
        raise ValidationError({field: _("At most %d characters.") % limit})
    return value


def talent_register(
    *,
    actor: User | None,
    name: str,
    id_number: str,
    region_code: str,
    education: str,
    background: str,
    skills: str = "",
    branch: Branch | None = None,
    wealth_leader: bool = False,
    committee_member: bool = False,
    phone: str = "",
) -> Talent:
    """Register a young person: on the core registry's person with that ID number (created when
    absent), in a village or community. Everything is checked before anything is written."""
    name = _text(name, "name", 50)
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    fields = person_fields_from_id(id_number)  # 400 naming id_number
    region = village_region(region_code)
    education = _choice(education, Education, "education")
    background = _choice(background, Background, "background")
    skills = _text(skills, "skills", MAX_SKILLS)
    phone = _text(phone, "phone", 30)
    if actor is not None and not access.may_register(actor, region.code):
        raise PermissionDenied(_("You may not register young people in this region."))
    if branch is not None and actor is not None and not code_in_scope(actor, branch.region_id):
        raise ValidationError({"branch": _("The branch is outside your scope.")})
    person = Person.objects.filter(id_digest=fields["id_digest"]).first()
    if person is not None and Talent.objects.filter(person=person).exists():
        raise ValidationError({"id_number": _("This person is in the reserve already.")})
    try:
        with transaction.atomic():
            if person is None:
                person = Person.objects.create(name=name, region=region, phone=phone, **fields)
            return Talent.objects.create(
                person=person,
                region=region,
                birth_date=person.birth_date,
                education=education,
                background=background,
                skills=skills,
                branch=branch,
                wealth_leader=bool(wealth_leader),
                committee_member=bool(committee_member),
            )
    except IntegrityError:
        raise ValidationError({"id_number": _("This person is in the reserve already.")}) from None


def talent_update(*, actor: User | None, talent: Talent, **changes: Any) -> Talent:
    """Change education, background, skills, branch, tags or the linked account."""
    allowed = {"education", "background", "skills", "branch", "user", *TAG_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Fields that cannot be changed: %s") % ", ".join(sorted(unknown)))
    if "education" in changes:
        changes["education"] = _choice(changes["education"], Education, "education")
    if "background" in changes:
        changes["background"] = _choice(changes["background"], Background, "background")
    if "skills" in changes:
        changes["skills"] = _text(changes["skills"], "skills", MAX_SKILLS)
    for tag in TAG_FIELDS:
        if tag in changes:
            changes[tag] = bool(changes[tag])
    account = changes.get("user")
    if account is not None:
        if not roles.has_role(account, Role.YOUTH):
            raise ValidationError({"user": _("The account must have the young talent role.")})
        if Talent.objects.filter(user=account).exclude(pk=talent.pk).exists():
            raise ValidationError({"user": _("The account is linked to another record.")})
    if actor is not None and not access.may_manage(actor, talent):
        raise PermissionDenied(_("You may not change this record."))
    branch = changes.get("branch")
    if branch is not None and actor is not None and not code_in_scope(actor, branch.region_id):
        raise ValidationError({"branch": _("The branch is outside your scope.")})
    with transaction.atomic():
        for field, value in changes.items():
            setattr(talent, field, value)
        talent.version += 1
        talent.save(update_fields=[*changes, "version"])
    return talent


def branch_create(
    *, actor: User | None, name: str, region_code: str, secretary: User | None = None
) -> Branch:
    name = _text(name, "name", 100)
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    if secretary is not None and not roles.has_role(secretary, Role.BRANCH_SECRETARY):
        raise ValidationError({"secretary": _("The account must have the branch secretary role.")})
    if actor is not None and not access.organises(actor, region.code):
        raise PermissionDenied(_("You may not create branches in this region."))
    with transaction.atomic():
        return Branch.objects.create(name=name, region=region, secretary=secretary)


def mentorship_add(
    *,
    actor: User | None,
    talent: Talent,
    name: str,
    start: date,
    kind: str = Mentorship.Kind.PAIRING,
    mentor_user: User | None = None,
    mentor_person: Person | None = None,
    end: date | None = None,
) -> Mentorship:
    """Pair a mentor (结对) with a young person, from `start` (until `end` when known)."""
    name = _text(name, "name", 50) or (mentor_person.name if mentor_person else "")
    if not name:
        raise ValidationError({"name": _("Name is required.")})
    kind = _choice(kind, Mentorship.Kind, "kind")
    if start > today():
        raise ValidationError({"start": _("The date %s is in the future.") % start.isoformat()})
    if end is not None and end < start:
        raise ValidationError({"end": _("The end comes before the start.")})
    if mentor_user is not None and not roles.has_role(mentor_user, Role.MENTOR):
        raise ValidationError({"mentor_user": _("The account must have the mentor role.")})
    if actor is not None and not access.may_manage(actor, talent):
        raise PermissionDenied(_("You may not change this record."))
    with transaction.atomic():
        return Mentorship.objects.create(
            talent=talent,
            kind=kind,
            name=name,
            mentor_user=mentor_user,
            mentor_person=mentor_person,
            start=start,
            end=end,
        )


def mentorship_end(*, actor: User | None, mentorship: Mentorship, end: date) -> Mentorship:
    if end < mentorship.start:
        raise ValidationError({"end": _("The end comes before the start.")})
    if end > today():
        raise ValidationError({"end": _("The date %s is in the future.") % end.isoformat()})
    if actor is not None and not access.may_manage(actor, mentorship.talent):
        raise PermissionDenied(_("You may not change this record."))
    with transaction.atomic():
        mentorship.end = end
        mentorship.save(update_fields=["end"])
    return mentorship


def talent_id_number_reveal(*, actor: User, talent: Talent) -> str:
    """The full ID number, for the organisation roles of the person's region; audited."""
    if not access.may_reveal_id_number(actor, talent):
        raise PermissionDenied(_("Your role does not show ID numbers in clear."))
    with transaction.atomic():
        audit_record_id_number_reveal(actor=actor, person=talent.person)
    return identity_vault.unseal(talent.person.id_sealed)
