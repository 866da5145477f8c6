"""Which rows a member of staff may see: one rule, used by every view through `visible_to`.

Each scoped model's queryset names how it reaches each kind of organisation. A view asks for
`Model.objects.visible_to(user)` and then `get_object_or_404`, so an object of another
organisation is simply not found (404), which also hides that it exists.
"""

from django.db import models

from pathway.accounts.models import Role


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
        """Rows `user` may see: a member of staff, or anything else that answers the same
        questions (an API client, pathway.api.models.ApiClient: is_authenticated, is_active,
        organisation_scope() and effective_role), so the API follows this same rule."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        kind, organisation_id = user.organisation_scope()
        if kind == "all" and user.effective_role == Role.ADMINISTRATOR:
            return self.all()
        lookup = self.scope_lookups_by_kind().get(kind)
        if lookup is None:
            return self.none()
        rows = self.filter(**{lookup: organisation_id})
        return rows.distinct() if self.scope_needs_distinct else rows


def through(relation, lookups):
    """The scope of a model reached through `relation` (for example an appointment through its
    episode): the related model's lookups, prefixed, so the rule is written once."""
    return {kind: f"{relation}__{lookup}" for kind, lookup in lookups.items()}
