"""Signing staff in with their username and password (after django-axes has counted the try)."""

from django.contrib.auth.backends import ModelBackend

from pathway.accounts.models import User


class StaffBackend(ModelBackend):
    """ModelBackend that loads the signed-in user with their organisation in the same query:
    every page scopes by it and every audit event names it, so it is always needed."""

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("practice", "service", "area").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
