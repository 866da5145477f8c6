"""Which rows a member of staff may see: one rule, used by every view through `visible_to`.

Each scoped model's queryset names how it reaches each kind of organisation. A view asks for
`Model.objects.visible_to(user)` and then `get_object_or_404`, so an object of another
organisation is simply not found (404), which also hides that it exists.

Whoever is not a member of staff (an API client, a GP system referring for its practice) is
given an `OrganisationScope` directly and asks `visible_to_scope(scope)`: the same rule, with
no stand-in user.
"""

from dataclasses import dataclass

from django.db import models

from pathway.accounts.models import Role


@dataclass(frozen=True)
class OrganisationScope:
    """Which organisation's rows may be seen: kind "practice" | "service" | "area", or "all"
    (an administrator), and that organisation's id."""

    kind: str
    organisation_id: int | None = None

    @classmethod
    def of_practice(cls, practice_id):
        return cls("practice", practice_id)


def scope_of(user):
    """The scope of a member of staff, or None when they may see nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    kind, organisation_id = user.organisation_scope()
    if kind == "all" and user.effective_role != Role.ADMINISTRATOR:
        return None
    return OrganisationScope(kind, organisation_id)


class ScopedQuerySet(models.QuerySet):
    # kind of organisation -> lookup from this model to that organisation's id.
    # A kind that is missing sees nothing of this model.
    scope_lookups: dict[str, str] = {}
    # Or a foreign key (say "episode"): this model is scoped as the rows it points to, whose
    # lookups are read through the relation when asked for, so this model's app need not
    # import that model's (an app lower in the layers: docs/architecture.md).
    scope_through: str | None = None
    # Lookups that cross a to-many relation need distinct() so a row is not repeated.
    scope_needs_distinct = False

    def scope_lookups_by_kind(self):
        if self.scope_through is None:
            return self.scope_lookups
        related = self.model._meta.get_field(self.scope_through).related_model
        return through(self.scope_through, related._default_manager.all().scope_lookups_by_kind())

    def visible_to(self, user):
        """Rows the member of staff `user` may see."""
        return self.visible_to_scope(scope_of(user))

    def visible_to_scope(self, scope):
        """Rows an organisation `scope` (or None: nothing) may see."""
        if scope is None:
            return self.none()
        if scope.kind == "all":
            return self.all()
        lookup = self.scope_lookups_by_kind().get(scope.kind)
        if lookup is None:
            return self.none()
        rows = self.filter(**{lookup: scope.organisation_id})
        return rows.distinct() if self.scope_needs_distinct else rows


def through(relation, lookups):
    """The scope of a model reached through `relation` (for example an appointment through its
    episode): the related model's lookups, prefixed, so the rule is written once."""
    return {kind: f"{relation}__{lookup}" for kind, lookup in lookups.items()}
