"""Template tags for the site's navigation: the one breadcrumb trail every page draws the same way."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from wagtail.models import Page
from wagtail.templatetags.wagtailcore_tags import pageurl

register = template.Library()

BREADCRUMBS_TEMPLATE = "includes/breadcrumbs.html"


class BreadcrumbsNode(template.Node):
    def __init__(self, pairs, nodelist):
        self.pairs = pairs
        self.nodelist = nodelist

    def render(self, context):
        trail = []
        for label, target in self.pairs:
            url = target.resolve(context, ignore_failures=True)  # None for a variable that isn't there
            if url is None:  # an ancestor the page doesn't have (a lesson outside a module): left out, as {% if %} did
                continue
            if isinstance(url, Page):
                url = pageurl(context, url)
            if not url:
                raise ValueError(f"breadcrumb {label.token} has an empty URL (a {{% url %}} that didn't match?)")
            trail.append({"label": label.resolve(context), "url": url})
        current = mark_safe(self.nodelist.render(context).strip())  # noqa: S308 - rendered, so already escaped
        return get_template(BREADCRUMBS_TEMPLATE).render({"trail": trail, "current": current}).strip()


@register.tag
def breadcrumbs(parser, token):
    """The page's breadcrumb trail, drawn by includes/breadcrumbs.html.

    {% breadcrumbs "Dashboard" dashboard_url "Your data" my_data_url %}Close your account{% endbreadcrumbs %}

    Arguments come in label/target pairs, outermost first; a target is a URL (from {% url … as name %}) or a Wagtail
    page, and a pair whose target is None or missing is left out. What the tags enclose is the current page's label.
    """
    bits = token.split_contents()[1:]
    if len(bits) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes label/target pairs")
    exprs = [parser.compile_filter(bit) for bit in bits]
    nodelist = parser.parse(("endbreadcrumbs",))
    parser.delete_first_token()
    return BreadcrumbsNode(list(zip(exprs[::2], exprs[1::2], strict=True)), nodelist)


@register.filter
def startswith(value, prefix) -> bool:
    """Whether the string starts with the prefix: {% if request.path|startswith:courses_url %}."""
    return str(value).startswith(str(prefix))
