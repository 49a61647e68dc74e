import rules

from quartier.accounts import services as accounts


def coordinates_ags(user, ags: str) -> bool:
    # A Kommune's coordinator holds its Gemeinde's AGS, a Landkreis' the 5-digit Kreis AGS.
    return any(ags.startswith(coordinated) for coordinated in accounts.coordinated_ags(user))


@rules.predicate
def is_programme_staff(user):
    return accounts.is_programme_staff(user)


@rules.predicate
def is_coordinator(user):
    return bool(accounts.coordinated_ags(user))


@rules.predicate
def keeps_article(user, article):
    """Coordinators of the article's Gemeinde or Landkreis (or of the Kreis around it)."""
    return article is not None and coordinates_ags(user, article.publisher.ags)


@rules.predicate
def is_published(user, article):
    return article is not None and article.is_published()


@rules.predicate
def comments_open(user, article):
    return article is not None and article.comments_open()


@rules.predicate
def may_contribute(user):
    from quartier.participation import services as participation

    return user.is_authenticated and not participation.is_blocked(user)


can_change = is_programme_staff | keeps_article

rules.add_perm("news.add_article", is_programme_staff | is_coordinator)
rules.add_perm("news.change_article", can_change)
rules.add_perm("news.publish_article", can_change)
rules.add_perm("news.delete_article", can_change)
rules.add_perm("news.view_article", is_published | can_change)
# Comments are participation's (add_comment checks the account again: verified, rate limit).
rules.add_perm("news.comment_article", comments_open & may_contribute)

# Programme staff keep the tags in the Django admin.
rules.add_perm("news", is_programme_staff)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"news.{action}_tag", is_programme_staff)
