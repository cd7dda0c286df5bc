"""Grant and revoke model permissions for a role group from data migrations."""


def grant_to_group(apps, group_name: str, grants: list[tuple[str, str, list[str]]]) -> None:
    """Give the group each (app_label, model, actions) permission, creating missing permission rows."""
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    group = Group.objects.get(name=group_name)
    for app_label, model, actions in grants:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)


def revoke_from_group(apps, group_name: str, grants: list[tuple[str, str, list[str]]]) -> None:
    """Take the listed permissions away from the group again."""
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group = Group.objects.filter(name=group_name).first()
    if group:
        codenames = [f"{action}_{model}" for _, model, actions in grants for action in actions]
        group.permissions.remove(*Permission.objects.filter(codename__in=codenames))
