

def actor_named(username):
    """The user a command's ``--username`` names (None when it names none); ``CommandError`` for an unknown one."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    from django.core.management.base import CommandError  # pylint: disable=import-outside-toplevel

    if not username:
        return None
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"No user named {username!r}.")
    return actor
