"""Users: one role and one scope each. Administrators manage everyone; territory analysts the
users whose scope lies inside their territory, granting no more than they read themselves:
never the roles that read teachers' personal diagnostic results (`DIAGNOSTIC_READERS`), whose
accounts only administrators create, re-scope or re-password — else an analyst could make
themselves a methodologist, a second account of a teacher or a teacher's new password, and
read what the rule keeps from them. Nor do they manage accounts of their own role or above
(`ADMIN_MANAGED`: analysts of any level, administrators): an analyst who could set a peer's
password, re-scope or deactivate them would take the peer's account over. A staff record has
one account at most."""

import uuid
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, Access, authorize
from services.api.auth.passwords import hash_password, verify_password
from services.api.organizations.models import Cluster
from services.api.staff.models import StaffMember
from services.api.users.models import User
from services.api.users.schemas import UserCreate, UserUpdate
from shared.db import apply_changes
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Role, ScopeType, require_roles
from shared.labels import OUT_OF_REACH, ROLE_LABELS, SCOPE_TYPE_LABELS, SCOPE_TYPE_OBJECTS
from shared.pagination import Pagination, containing, paginate, where_given
from shared.scope import readable_organizations

# A change of any of these ends the account's tokens (`User.token_version`); so does a password.
TOKEN_FIELDS = ("role", "scope_type", "scope_id", "staff_id", "is_active")

# Which scope each role takes (admins have none; viewers any).
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "admin": (),
    "territory_analyst": ("territory",),
    "methodologist": ("territory",),
    "organization_leader": ("organization",),
    "teacher": ("organization",),
    "viewer": ("territory", "cluster", "organization"),
}


# The roles that read teachers' personal diagnostic results (README "Identity and access"):
# the teacher their own, the leader their school's, the methodologist the territory's.
DIAGNOSTIC_READERS = frozenset({"teacher", "organization_leader", "methodologist"})
ADMIN_ONLY = (
    "Учётные записи учителей, руководителей организаций и методистов создаёт и меняет "
    "администратор: им видны личные результаты диагностик учителей"
)
# The roles of the analyst's own rank or above: only administrators make or change them.
ADMIN_MANAGED = frozenset({"territory_analyst", "admin"})
PEERS_ADMIN_ONLY = (
    "Учётные записи аналитиков территорий и администраторов создаёт и меняет только администратор"
)
STAFF_LINK_ADMIN_ONLY = (
    "Связь учётной записи с сотрудником (staff_id) устанавливает администратор: через неё "
    "видны личные результаты диагностик этого сотрудника"
)


def _may_grant(principal: Any, *roles: str | None, staff: bool = False) -> None:
    """Forbidden unless the caller may hand out each of `roles`: an analyst makes or promotes
    no analyst or administrator (`ADMIN_MANAGED`), does not make, re-scope, reactivate or set
    the password of a diagnostic reader's account, nor link any account to a staff record
    (`staff`: whoever is linked to a teacher's record reads and answers as that teacher)."""
    if principal.unrestricted:
        return
    if any(role in ADMIN_MANAGED for role in roles):
        raise Forbidden(PEERS_ADMIN_ONLY)
    if any(role in DIAGNOSTIC_READERS for role in roles):
        raise Forbidden(ADMIN_ONLY)
    if staff:
        raise Forbidden(STAFF_LINK_ADMIN_ONLY)


def _role(role: str) -> str:
    return f"«{ROLE_LABELS[role]}»"


def _check_scope(role: str, scope_type: str | None, scope_id: uuid.UUID | None) -> None:
    """The scope fits the role, or Invalid naming the field that is missing or wrong
    (`scope_type`, `scope_id`), in Russian: «Для роли «аналитик территории» укажите
    территорию (scope_id)»."""
    allowed = ROLE_SCOPES[role]
    if not allowed:
        if scope_type or scope_id:
            field = "scope_type" if scope_type else "scope_id"
            message = "У администратора нет зоны доступа: не указывайте scope_type и scope_id"
            raise Invalid.at(field, message)
        return
    kinds = [SCOPE_TYPE_LABELS[kind] for kind in allowed]
    needed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} или {kinds[-1]}"
    if scope_type is None:
        raise Invalid.at(
            "scope_type", f"Для роли {_role(role)} укажите вид зоны доступа (scope_type): {needed}"
        )
    if scope_type not in allowed:
        given = SCOPE_TYPE_LABELS.get(scope_type, scope_type)
        raise Invalid.at(
            "scope_type",
            f"Для роли {_role(role)} зона доступа (scope_type) — {needed}, а не {given}",
        )
    if scope_id is None:
        what = SCOPE_TYPE_OBJECTS[scope_type]
        raise Invalid.at("scope_id", f"Для роли {_role(role)} укажите {what} (scope_id)")


# What a scope_id that is not there, or not the caller's, is said to be (by scope_type).
_NOT_FOUND = {
    "territory": "Территория не найдена",
    "cluster": "Кластер не найден",
    "organization": "Организация не найдена",
}


async def _check_assignment(
    access: Access,
    role: str,
    scope_type: str | None,
    scope_id: uuid.UUID | None,
    staff_id: uuid.UUID | None,
    user_id: uuid.UUID | None = None,
) -> None:
    """The role, scope and staff link fit together, and the caller may grant them (Conflict
    when the staff record already has an account other than `user_id`)."""
    session, principal = access.session, access.principal
    # A teacher's link is checked below, with the organization.
    if (
        staff_id is not None
        and role != "teacher"
        and await session.get(StaffMember, staff_id) is None
    ):
        raise Invalid.at("staff_id", "Сотрудник не найден")
    if not ROLE_SCOPES[role]:
        require_roles(principal)  # only administrators make administrators
    _check_scope(role, scope_type, scope_id)
    if scope_type is None or scope_id is None:
        return  # an administrator's
    try:
        await authorize(principal, access.scopes, ScopeType(scope_type), scope_id, MANAGERS)
    except NotFound as hidden:  # none, or outside the caller's scope: alike, the field named
        unit = _NOT_FOUND[scope_type]
        raise NotFound.at("scope_id", f"{unit} или {OUT_OF_REACH}") from hidden
    if role == "teacher":
        if staff_id is None:
            raise Invalid.at("staff_id", f"Для роли {_role(role)} укажите сотрудника (staff_id)")
        staff_org = await session.scalar(
            select(StaffMember.organization_id).where(StaffMember.id == staff_id)
        )
        if staff_org != scope_id:
            raise Invalid.at("staff_id", "Сотрудник не найден в этой организации")
    if staff_id is not None:
        # The staff row locked: two accounts made at once for one record, one wins.
        await session.execute(
            select(StaffMember.id).where(StaffMember.id == staff_id).with_for_update()
        )
        taken = await session.scalar(
            select(User.id).where(User.staff_id == staff_id, User.id != user_id).limit(1)
        )
        if taken is not None:
            raise Conflict.at("staff_id", "У этого сотрудника уже есть учётная запись")


async def create_user(access: Access, data: UserCreate) -> User:
    """A new account (Invalid for a role, scope or staff link that do not fit, Conflict for a
    taken email or a staff record that has an account); the caller must be allowed to grant
    its role and scope (Forbidden: an analyst making a diagnostic reader, `_may_grant`)."""
    _may_grant(access.principal, data.role, staff=data.staff_id is not None)
    await _check_assignment(access, data.role, data.scope_type, data.scope_id, data.staff_id)
    session = access.session
    user = User(
        **data.model_dump(exclude={"password", "email"}),
        email=data.email.lower(),
        password_hash=await hash_password(data.password),
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("Пользователь с таким адресом уже есть", field="email") from exc
    return user


async def _user_in_scope(access: Access, user: User) -> bool:
    principal = access.principal
    if principal.unrestricted or principal.user_id == user.id:
        return True
    if principal.role != Role.territory_analyst or user.scope_type is None:
        return False
    try:
        await authorize(
            principal, access.scopes, ScopeType(user.scope_type), user.scope_id, MANAGERS
        )
    except NotFound:
        return False
    return True


async def get_user(access: Access, user_id: uuid.UUID) -> User:
    """Administrators, the territory's analysts and the user themself (NotFound otherwise)."""
    user = await access.session.get(User, user_id)
    if user is None or not await _user_in_scope(access, user):
        raise NotFound("Пользователь не найден")
    return user


async def update_user(access: Access, user: User, data: UserUpdate) -> User:
    """Managers change role, scope, staff link, activity and password; users their name and
    password. An analyst changes nothing of another analyst's account (whatever its level)
    nor makes an account one (Forbidden, `PEERS_ADMIN_ONLY`). They change the role, scope,
    staff link or password of no account that is or would be a diagnostic reader, nor
    reactivate one, nor link any account to a staff record (Forbidden, `_may_grant`); its
    name they may change, and deactivate it. A change of role, scope, staff link, activity or
    password bumps `token_version`, which ends the tokens issued before it in every service.
    `user` is one the caller sees (`get_user`, which the route asks before the body is read)."""
    principal = access.principal
    # Read afresh: the route found the account before an If-Match's lock, and what a writer
    # committed in between (a token version bumped) must not be overwritten with the old.
    await access.session.refresh(user)
    changes = data.model_dump(exclude_unset=True, exclude={"password", "current_password"})
    is_manager = principal.unrestricted or (
        principal.role == Role.territory_analyst and principal.user_id != user.id
    )
    if is_manager and not principal.unrestricted and user.role in ADMIN_MANAGED:
        raise Forbidden(PEERS_ADMIN_ONLY)  # a peer's password or scope is their account
    if not is_manager:
        if set(changes) - {"full_name"}:
            raise Forbidden("Свою роль и область действия меняет администратор")
        if data.password is not None and not await verify_password(
            user.password_hash, data.current_password or ""
        ):
            raise Invalid.at("current_password", "Текущий пароль указан неверно")
    granting = set(changes) & {"role", "scope_type", "scope_id", "staff_id"}
    reactivating = changes.get("is_active") is True and not user.is_active
    if is_manager and (granting or reactivating or data.password is not None):
        linked = changes.get("staff_id", user.staff_id) is not None
        _may_grant(principal, user.role, changes.get("role"), staff=linked)
    if is_manager and granting:
        merged: dict[str, Any] = {
            key: changes.get(key, getattr(user, key))
            for key in ("role", "scope_type", "scope_id", "staff_id")
        }
        await _check_assignment(access, **merged, user_id=user.id)
    if data.password is not None or any(
        key in TOKEN_FIELDS and getattr(user, key) != value for key, value in changes.items()
    ):
        user.token_version += 1  # tokens issued before this change are refused everywhere
    if data.password is not None:
        changes["password_hash"] = await hash_password(data.password)
    return await apply_changes(access.session, user, changes)


async def list_users(
    access: Access,
    page: Pagination,
    *,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[list[User], int]:
    """Administrators see everyone; territory analysts the users of their territory."""
    principal, scopes = access.principal, access.scopes
    require_roles(principal, Role.territory_analyst)
    query = select(User).order_by(User.full_name, User.id)
    if not principal.unrestricted and principal.scope_id is not None:
        territories = await scopes.subtree(principal.scope_id)
        organizations = await readable_organizations(principal, scopes) or frozenset()
        clusters = select(Cluster.id).where(Cluster.territory_id.in_(territories))
        query = query.where(
            or_(
                (User.scope_type == "territory") & User.scope_id.in_(territories),
                (User.scope_type == "organization") & User.scope_id.in_(organizations),
                (User.scope_type == "cluster") & User.scope_id.in_(clusters),
            )
        )
    query = where_given(query, (User.role, role), (User.is_active, active))
    searched = containing(query, q, User.full_name, User.email)
    return await paginate(access.session, searched, page)


async def ensure_bootstrap_admin(session: AsyncSession, email: str, password: str) -> bool:
    """Create the first administrator when no user exists; True if one was created.

    An advisory lock makes concurrent starts of several api processes create exactly one.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('soko.bootstrap_admin'))"))
    if await session.scalar(select(func.count()).select_from(User)):
        return False
    session.add(
        User(
            email=email.lower(),
            full_name="Администратор",
            password_hash=await hash_password(password),
            role="admin",
        )
    )
    await session.flush()
    return True
